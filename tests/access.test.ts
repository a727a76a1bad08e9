/**
 * Who may call what (issue 24), at the handler, on both surfaces: a route limited to Cognito groups refuses others
 * at the REST route and hides its tool; every call of a route writes one audit line, which says who called what and
 * how it ended, and never carries an argument, a result or a token.
 */
import type { APIGatewayProxyResult, Context } from "aws-lambda";
import { expect } from "chai";
import * as z from "zod/mini";
import { groupsClaim } from "../handler/auth";
import { HttpError } from "../handler/http";
import { createHandler } from "../handler/index";
import { logSink, type CallLog } from "../handler/log";
import { operations, type OperationsOf } from "../handler/operations";
import { routes, type RouteSpec } from "../handler/routes";
import { proxyEvent } from "./proxyEvent";

const GPT_CLIENT = "gpt-client";
const MCP_CLIENT = "mcp-client";
const MARKER = "argument-value-never-logged";
const MODERN = "2026-07-28";

/** The shipped table plus one route for the HR group only. */
const table = {
    ...routes,
    lookUpEmployee: {
        method: "POST",
        path: "/hr/employee",
        summary: "Looks up an employee.",
        description: "Returns an employee's team by id.",
        consequential: false,
        groups: ["hr", "hr-admins"],
        request: z.object({ id: z.string().check(z.minLength(3)) }),
        response: { description: "The employee's team.", schema: z.object({ team: z.string() }) },
    },
} satisfies Record<string, RouteSpec>;

let employeeLookup: (id: string) => unknown = () => ({ team: "payroll" });
const functions: OperationsOf<typeof table> = {
    ...operations,
    lookUpEmployee: ({ body }) => employeeLookup(body.id) as { team: string },
};
const handler = createHandler(table, functions);
const context = { awsRequestId: "req-24" } as Context;

interface Who {
    readonly groups?: string;
    readonly clientId?: string;
}

function claims(who: Who): Record<string, string> {
    return {
        sub: "user-7", username: "dana", token_use: "access", client_id: who.clientId ?? GPT_CLIENT, scope: "openid", origin_jti: "sign-in-1",
        ...(who.groups === undefined ? {} : { "cognito:groups": who.groups }),
    };
}

async function send(path: string, body: unknown, who: Who, headers: Record<string, string> = {}): Promise<{ result: APIGatewayProxyResult; logs: Array<Record<string, unknown>> }> {
    const lines: string[] = [];
    const write = logSink.write;
    logSink.write = (line) => lines.push(line);
    try {
        const result = await handler(proxyEvent({
            method: "POST", resource: path, body: JSON.stringify(body),
            headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream", ...headers },
            claims: claims(who),
        }), context);
        return { result, logs: lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
    } finally {
        logSink.write = write;
    }
}

const rest = (path: string, body: unknown, who: Who) => send(path, body, who);

/** A 2026-07-28 MCP request with its headers, as the MCP client's token. */
function mcp(method: string, params: Record<string, unknown>, who: Who) {
    const meta = { "io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": {} };
    const name: Record<string, string> = typeof params.name === "string" ? { "Mcp-Name": params.name } : {};
    return send("/mcp", { jsonrpc: "2.0", id: 1, method, params: { ...params, _meta: meta } }, { ...who, clientId: MCP_CLIENT },
        { "MCP-Protocol-Version": MODERN, "Mcp-Method": method, ...name });
}

const audits = (logs: ReadonlyArray<Record<string, unknown>>) => logs.filter((l) => l.message === "call");
const rpcResult = (result: APIGatewayProxyResult) => (JSON.parse(result.body) as { result?: Record<string, unknown>; error?: { code: number; message: string } });

describe("Who may call what (handler, both surfaces)", () => {
    beforeEach(() => {
        process.env.APP_CLIENT_ID = GPT_CLIENT;
        process.env.MCP_CLIENT_ID = MCP_CLIENT;
        employeeLookup = () => ({ team: "payroll" });
    });
    after(() => {
        delete process.env.APP_CLIENT_ID;
        delete process.env.MCP_CLIENT_ID;
    });

    it("reads cognito:groups as API Gateway hands it over: comma-joined, or bracketed with spaces", () => {
        expect(groupsClaim("hr,finance")).to.deep.equal(["hr", "finance"]);
        expect(groupsClaim("[hr finance]")).to.deep.equal(["hr", "finance"]);
        expect(groupsClaim("hr")).to.deep.equal(["hr"]);
        expect(groupsClaim("")).to.deep.equal([]);
        expect(groupsClaim(undefined)).to.deep.equal([]);
    });

    describe("REST (GPT Action)", () => {
        it("refuses a caller in none of the route's groups with 403, naming no group, without running the operation", async () => {
            let ran = false;
            employeeLookup = () => (ran = true, { team: "x" });
            for (const groups of [undefined, "finance", "hr-readers,HR"]) {
                const { result, logs } = await rest("/hr/employee", { id: MARKER }, { groups });
                expect(result.statusCode, groups).to.equal(403);
                const error = (JSON.parse(result.body) as { error: { code: string; message: string } }).error;
                expect(error.code).to.equal("forbidden");
                expect(error.message).to.match(/does not have access/).and.not.match(/\bhr\b/);
                expect(audits(logs)).to.have.lengthOf(1);
                expect(audits(logs)[0]).to.include({ surface: "rest", route: "lookUpEmployee", outcome: "refused", status: 403 });
            }
            expect(ran, "the operation never ran").to.be.false;
        });

        it("lets a member of any one of the route's groups call it", async () => {
            for (const groups of ["hr", "finance,hr-admins", "[finance hr]"]) {
                const { result } = await rest("/hr/employee", { id: "e-1" }, { groups });
                expect(result.statusCode, groups).to.equal(200);
                expect(JSON.parse(result.body)).to.deep.equal({ team: "payroll" });
            }
        });

        it("leaves a route without groups open to every signed-in user", async () => {
            const { result } = await rest("/my_route", {}, {});
            expect(result.statusCode).to.equal(200);
        });
    });

    describe("MCP", () => {
        it("lists only the tools the caller may call, privately cacheable since lists differ by user", async () => {
            const outsider = rpcResult((await mcp("tools/list", {}, {})).result).result;
            const member = rpcResult((await mcp("tools/list", {}, { groups: "hr" })).result).result;
            const names = (r: Record<string, unknown> | undefined) => (r?.tools as Array<{ name: string }>).map((t) => t.name);
            expect(names(outsider)).to.deep.equal(Object.keys(routes));
            expect(names(member)).to.deep.equal([...Object.keys(routes), "lookUpEmployee"]);
            expect(outsider).to.include({ cacheScope: "private" });
            const discover = rpcResult((await mcp("server/discover", {}, {})).result).result;
            expect(discover).to.include({ cacheScope: "private" });
            expect(discover?.instructions, "the instructions name only the caller's tools").to.not.include("lookUpEmployee");
        });

        it("answers a call of a tool the caller may not call exactly as an unknown tool, and audits it as refused", async () => {
            const refused = await mcp("tools/call", { name: "lookUpEmployee", arguments: { id: MARKER } }, { groups: "finance" });
            const unknown = await mcp("tools/call", { name: "noSuchTool", arguments: {} }, { groups: "finance" });
            expect(rpcResult(refused.result).error?.code).to.equal(-32602);
            expect(rpcResult(refused.result).error?.message.replace("lookUpEmployee", "X")).to.equal(rpcResult(unknown.result).error?.message.replace("noSuchTool", "X"));
            expect(audits(refused.logs)).to.have.lengthOf(1);
            expect(audits(refused.logs)[0]).to.include({ surface: "mcp", route: "lookUpEmployee", outcome: "refused", clientId: MCP_CLIENT });
            expect(audits(unknown.logs), "an unknown tool is no call of a route").to.have.lengthOf(0);
        });

        it("runs the tool for a member of one of its groups", async () => {
            const { result, logs } = await mcp("tools/call", { name: "lookUpEmployee", arguments: { id: "e-1" } }, { groups: "hr-admins" });
            expect(rpcResult(result).result).to.deep.include({ structuredContent: { team: "payroll" } });
            expect(audits(logs)[0]).to.include({ outcome: "ok" });
        });
    });

    describe("the audit line", () => {
        it("says who called what, from which client and sign-in, how it ended and how long it took, on both surfaces", async () => {
            const viaRest = audits((await rest("/hr/employee", { id: "e-1" }, { groups: "hr" })).logs)[0];
            const viaMcp = audits((await mcp("tools/call", { name: "lookUpEmployee", arguments: { id: "e-1" } }, { groups: "hr" })).logs)[0];
            const fields: Array<keyof CallLog | "level" | "timestamp" | "message"> = ["level", "timestamp", "message", "requestId", "surface", "route", "sub", "username", "clientId", "signIn", "outcome", "latencyMs"];
            expect(viaRest).to.have.all.keys([...fields, "status"]);
            expect(viaMcp).to.have.all.keys(fields);
            const common = { level: "INFO", message: "call", requestId: "req-24", route: "lookUpEmployee", sub: "user-7", username: "dana", signIn: "sign-in-1", outcome: "ok" };
            expect(viaRest).to.include({ ...common, surface: "rest", clientId: GPT_CLIENT, status: 200 });
            expect(viaMcp).to.include({ ...common, surface: "mcp", clientId: MCP_CLIENT });
            for (const line of [viaRest, viaMcp]) {
                expect(Date.parse(String(line.timestamp))).to.be.a("number").and.not.NaN;
                expect(line.latencyMs).to.be.a("number").and.at.least(0);
            }
        });

        it("tells invalid arguments, an operation's refusal and a failure apart, on both surfaces", async () => {
            const outcomes = async (args: unknown) => [
                audits((await rest("/hr/employee", args, { groups: "hr" })).logs)[0]?.outcome,
                audits((await mcp("tools/call", { name: "lookUpEmployee", arguments: args }, { groups: "hr" })).logs)[0]?.outcome,
            ];
            expect(await outcomes({ id: "x" }), "too short an id").to.deep.equal(["invalid", "invalid"]);
            employeeLookup = () => {
                throw new HttpError(404, "not_found", "No such employee.");
            };
            expect(await outcomes({ id: "e-404" })).to.deep.equal(["failed", "failed"]);
            employeeLookup = () => {
                throw new Error(`database down for ${MARKER}`);
            };
            expect(await outcomes({ id: "e-500" })).to.deep.equal(["error", "error"]);
        });

        it("never carries an argument value, a result or a token, whatever the outcome", async () => {
            const lines: Array<Record<string, unknown>> = [];
            employeeLookup = () => ({ team: MARKER });
            for (const groups of ["hr", "finance"]) {
                lines.push(...audits((await rest("/hr/employee", { id: MARKER }, { groups })).logs));
                lines.push(...audits((await mcp("tools/call", { name: "lookUpEmployee", arguments: { id: MARKER } }, { groups })).logs));
                lines.push(...audits((await mcp("tools/call", { name: "lookUpEmployee", arguments: { id: 42, note: MARKER } }, { groups })).logs));
            }
            expect(lines).to.have.lengthOf(6);
            expect(JSON.stringify(lines)).to.not.include(MARKER);
        });
    });
});
