/**
 * docs/routes.md's "Who may call a route", tested: the getSalesTarget example (tests/fixtures/salesTargets.ts) is
 * the code the page shows, the table takes it, the stack grants exactly its read and its group, esbuild leaves the
 * runtime's AWS SDK out of the bundle, and the operation reads the table.
 */
import type { AttributeValue, GetItemCommandInput, GetItemCommandOutput } from "@aws-sdk/client-dynamodb";
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Caller } from "../handler/auth";
import { HttpError } from "../handler/http";
import { routeList, routes } from "../handler/routes";
import { bundleHandler } from "../infra/bundle";
import { grantStatements, tableGroups } from "../infra/grants";
import { routeTableProblems } from "../infra/routeTable";
import { dynamodb, targetOperations, targetRoutes } from "./fixtures/salesTargets";
import { runApi } from "./harness";

const FIXTURE = path.join(__dirname, "fixtures", "salesTargets.ts");

/** The ```ts blocks of docs/routes.md's "Who may call a route" section. */
function pageBlocks(): string[] {
    const page = fs.readFileSync(path.join(__dirname, "..", "docs", "routes.md"), "utf8");
    const start = page.indexOf("## Who may call a route");
    const section = page.slice(start, page.indexOf("\n## ", start + 1));
    return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
}

/** A signed-in member of finance, as the handler hands an operation its caller. */
const FINANCE_USER: Caller = { sub: "sub-1", username: "jane@example.com", scopes: ["openid"], groups: ["finance"], clientId: "gpt-client", signIn: "o-1" };

describe("who may call a route (docs/routes.md's getSalesTarget example)", () => {
    it("is the code the page shows: entry, client and function, and the test", () => {
        const blocks = pageBlocks();
        expect(blocks).to.have.lengthOf(4);
        const fixture = fs.readFileSync(FIXTURE, "utf8");
        const test = fs.readFileSync(__filename.replace(/\.js$/, ".ts"), "utf8");
        for (const block of blocks.slice(0, 3)) {
            expect(fixture).to.include(block);
        }
        expect(test).to.include(blocks[3]);
    });

    it("is a sound route table entry, next to the shipped routes", () => {
        expect(routeTableProblems(routeList({ ...routes, ...targetRoutes }))).to.deep.equal([]);
        expect(tableGroups(routeList(targetRoutes))).to.deep.equal(["finance"]);
    });

    it("gives the handler's role exactly GetItem on the one table, in a statement named after the route", async () => {
        const run = await runApi([...routeList(), ...routeList(targetRoutes)]);
        const policy = JSON.parse(String(run.one("aws:iam/rolePolicy:RolePolicy", "handler-logs-policy").inputs.policy)) as { Statement: unknown[] };
        expect(policy.Statement.at(-1)).to.deep.equal({
            Sid: "RoutegetSalesTargetGrant1", Effect: "Allow",
            Action: ["dynamodb:GetItem"], Resource: ["arn:aws:dynamodb:us-east-1:123456789012:table/sales-targets"],
        });
        expect(grantStatements(routeList(targetRoutes))).to.have.lengthOf(1);
    });

    it("leaves the AWS SDK out of the bundle: the Lambda runtime provides it", () => {
        const bundle = bundleHandler(FIXTURE);
        expect(bundle.code).to.match(/require\("@aws-sdk\/client-dynamodb"\)/);
        expect(Object.keys(bundle.bytesByInput).filter((input) => input.includes("@aws-sdk"))).to.deep.equal([]);
    });

    describe("getSalesTarget", () => {
        let sent: GetItemCommandInput[] = [];
        let item: Record<string, AttributeValue> | undefined;
        before(() => {
            // Answers in place of DynamoDB, before the request is signed or sent: no network, no credentials.
            dynamodb.middlewareStack.add(() => (args) => {
                sent.push(args.input as GetItemCommandInput);
                const output: GetItemCommandOutput = { ...(item === undefined ? {} : { Item: item }), $metadata: {} };
                return Promise.resolve({ output, response: {} });
            }, { step: "initialize", name: "stand-in-dynamodb" });
        });
        after(() => void dynamodb.middlewareStack.remove("stand-in-dynamodb"));
        beforeEach(() => {
            sent = [];
        });

        const call = () => targetOperations.getSalesTarget({ body: { month: "2026-10", region: "EMEA" }, caller: FINANCE_USER, requestId: "r-1" });

        it("reads the region's item for the month", async () => {
            item = { targetUsd: { N: "125000" } };
            expect(await call()).to.deep.equal({ month: "2026-10", region: "EMEA", targetUsd: 125000 });
            expect(sent).to.deep.equal([{
                TableName: "sales-targets", Key: { region: { S: "EMEA" }, month: { S: "2026-10" } }, ProjectionExpression: "targetUsd",
            }]);
        });

        it("answers 404 when the table has no target", async () => {
            item = undefined;
            const error: unknown = await Promise.resolve(call()).then(() => undefined, (err: unknown) => err);
            expect(error).to.be.instanceOf(HttpError).and.include({ statusCode: 404, code: "target_not_found" });
        });
    });
});
