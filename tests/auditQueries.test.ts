/**
 * The audit trail's saved Logs Insights queries: one per question, on the handler's log group, each reading only
 * audit lines and only fields the audit line has (checked against a line logCall really writes).
 */
import { expect } from "chai";
import { logCall, logSink, type CallLog } from "../handler/log";
import { AUDIT_QUERIES, AUDIT_QUERY_FIELDS, CALL_FILTER } from "../infra/auditQueries";
import { runProgram, type Run } from "./harness";

const QUERY = "aws:cloudwatch/queryDefinition:QueryDefinition";

/** Every field, so the line logCall writes names them all. */
const SAMPLE: Required<CallLog> = {
    requestId: "r-1", surface: "rest", route: "getSalesReport", sub: "s-1", username: "jane@example.com", clientId: "c-1",
    signIn: "o-1", outcome: "refused", status: 403, latencyMs: 12,
};

/** The JSON line logCall writes for `entry`. */
function written(entry: CallLog): Record<string, unknown> {
    const lines: string[] = [];
    const write = logSink.write;
    logSink.write = (line) => void lines.push(line);
    try {
        logCall(entry);
    } finally {
        logSink.write = write;
    }
    return JSON.parse(lines[0]) as Record<string, unknown>;
}

/** The identifiers a query names that are not Logs Insights' own (@timestamp), functions, keywords or its aliases. */
function namedFields(query: string): string[] {
    const withoutStrings = query.replace(/"[^"]*"/g, "");
    const aliases = [...withoutStrings.matchAll(/\bas (\w+)/g)].map((m) => m[1]);
    const keywords = ["fields", "filter", "stats", "sort", "limit", "by", "as", "and", "desc", "asc", "count", "min", "max", "avg", "pct"];
    return [...new Set([...withoutStrings.matchAll(/(?<![@\w])[A-Za-z_]\w*/g)].map((m) => m[0]))]
        .filter((word) => !keywords.includes(word) && !aliases.includes(word));
}

describe("audit queries", () => {
    let run: Run;
    before(async () => {
        run = await runProgram();
    });

    it("saves the four queries on the handler's log group, in the stack's folder", () => {
        const queries = run.all(QUERY);
        expect(queries.map((q) => q.name).sort()).to.deep.equal([
            "gpt-action-query-calls-by-user", "gpt-action-query-errors", "gpt-action-query-refused-calls", "gpt-action-query-slowest-routes",
        ]);
        const logGroup = run.one("aws:cloudwatch/logGroup:LogGroup", "gpt-action-handler-logs");
        for (const query of queries) {
            expect(query.inputs.logGroupNames).to.deep.equal([logGroup.name]);
            expect(String(query.inputs.name)).to.match(/^gpt-action-dev\/(Calls by user|Refused calls|Errors|Slowest routes)$/);
            expect(query.inputs.queryString).to.equal(AUDIT_QUERIES[String(query.inputs.name).split("/")[1]]);
        }
    });

    it("reads only audit lines, each query", () => {
        expect(written(SAMPLE).message).to.equal("call");
        expect(CALL_FILTER).to.equal('filter message = "call"');
        for (const query of Object.values(AUDIT_QUERIES)) {
            expect(query.split("\n| ")).to.include(CALL_FILTER);
        }
    });

    it("names only fields the audit line has", () => {
        const line = written(SAMPLE);
        for (const [title, query] of Object.entries(AUDIT_QUERIES)) {
            for (const name of namedFields(query)) {
                expect(line, `${title}: ${name}`).to.have.property(name);
            }
        }
        for (const name of AUDIT_QUERY_FIELDS) {
            expect(line).to.have.property(name);
        }
    });

    it("asks each question of the right fields", () => {
        expect(AUDIT_QUERIES["Calls by user"]).to.include("stats count(*) as calls").and.include("by sub, username, route");
        expect(AUDIT_QUERIES["Refused calls"]).to.include('filter outcome = "refused"');
        expect(AUDIT_QUERIES.Errors).to.include('filter outcome = "error"').and.match(/fields @timestamp, requestId,/);
        expect(AUDIT_QUERIES["Slowest routes"]).to.include("avg(latencyMs)").and.include("max(latencyMs)").and.include("pct(latencyMs, 95)").and.include("by route, surface");
    });
});
