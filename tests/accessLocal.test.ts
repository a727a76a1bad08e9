/**
 * Local mode's tokens carry the test user's groups (testUserGroups) as Cognito's do, in `cognito:groups`, and its
 * gateway, like API Gateway's Cognito authorizer, refuses a token whose claims were edited after signing.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { expect } from "chai";
import { decodeJwt } from "jose";
import { createHandler } from "../handler/index";
import { operations } from "../handler/operations";
import { routes } from "../handler/routes";
import { mcpScope } from "../infra/mcpMetadata";
import { startLocal, type LocalServer } from "../local/server";
import { LOCAL_STACK_FILE, clearHandlerEnv, silenceLogs } from "./localMode";
import { withAccess } from "./routeAccess";
import { mcpTokens, signIn } from "./signIn";

/** The GPT Action client's tokens for the test user: the code flow with HTTP Basic, as ChatGPT does it. */
async function gptTokens(local: LocalServer): Promise<{ access_token: string; id_token: string }> {
    const o = local.outputs;
    const authorize = new URL(o.authorizationUrl);
    authorize.search = new URLSearchParams({ response_type: "code", client_id: o.clientId, redirect_uri: o.callbackUrls[0], scope: o.scope, state: "s" }).toString();
    const back = await signIn(authorize, o.testUser);
    const res = await fetch(o.tokenUrl, {
        method: "POST",
        headers: { Authorization: `Basic ${Buffer.from(`${o.clientId}:${o.clientSecret}`).toString("base64")}` },
        body: new URLSearchParams({ grant_type: "authorization_code", code: back.searchParams.get("code") ?? "", redirect_uri: o.callbackUrls[0] }),
    });
    expect(res.status, "the code exchange succeeds").to.equal(200);
    return await res.json() as { access_token: string; id_token: string };
}

/** `token` with its payload replaced by `edit(payload)`, re-encoded, and its original signature kept. */
function edited(token: string, edit: (payload: Record<string, unknown>) => Record<string, unknown>): string {
    const [header, payload, signature] = token.split(".");
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
    return [header, Buffer.from(JSON.stringify(edit(claims))).toString("base64url"), signature].join(".");
}

const callRoute = (local: LocalServer, token: string) => fetch(`${local.outputs.apiUrl}/my_route`, {
    method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` }, body: "{}",
});

/** Local mode on the fixture stack with `config`, started while the table names finance and sales (which testUserGroups must). */
async function start(config: Record<string, string>): Promise<LocalServer> {
    return withAccess({ getSalesReport: { groups: ["finance", "sales"] } }, () => startLocal({ port: 0, stackFile: LOCAL_STACK_FILE, config }));
}

describe("local mode: the test user's groups in its tokens", function () {
    this.timeout(30_000);
    let restoreLogs = (): void => undefined;
    const running: LocalServer[] = [];
    afterEach(async () => {
        restoreLogs();
        await Promise.all(running.splice(0).map((local) => local.close()));
        clearHandlerEnv();
    });
    const started = async (config: Record<string, string>) => {
        const local = await start(config);
        running.push(local);
        restoreLogs = silenceLogs();
        return local;
    };

    it("puts testUserGroups in the access and ID tokens' cognito:groups, as an array", async () => {
        const local = await started({ testUserGroups: JSON.stringify(["finance", "sales"]) });
        expect(local.config.testUserGroups).to.deep.equal(["finance", "sales"]);
        const tokens = await gptTokens(local);
        expect(decodeJwt(tokens.access_token)["cognito:groups"]).to.deep.equal(["finance", "sales"]);
        expect(decodeJwt(tokens.id_token)["cognito:groups"]).to.deep.equal(["finance", "sales"]);
        expect((await callRoute(local, tokens.access_token)).status).to.equal(200);
    });

    it("leaves cognito:groups out for a user in no group, as Cognito does", async () => {
        const local = await started({});
        const tokens = await gptTokens(local);
        expect(decodeJwt(tokens.access_token)).to.not.have.property("cognito:groups");
    });

    it("refuses (401) a token whose cognito:groups was edited, the signature being the old one", async () => {
        const local = await started({ testUserGroups: JSON.stringify(["sales"]) });
        const { access_token: token } = await gptTokens(local);
        expect((await callRoute(local, token)).status, "the token as issued").to.equal(200);
        const promoted = edited(token, (claims) => ({ ...claims, "cognito:groups": ["sales", "finance"] }));
        expect(decodeJwt(promoted)["cognito:groups"]).to.deep.equal(["sales", "finance"]);
        const res = await callRoute(local, promoted);
        expect(res.status).to.equal(401);
        expect(await res.json()).to.deep.equal({ message: "Unauthorized" });
    });

    it("refuses (401) a token of a user in no group that was given a cognito:groups claim", async () => {
        const local = await started({});
        const { access_token: token } = await gptTokens(local);
        const res = await callRoute(local, edited(token, (claims) => ({ ...claims, "cognito:groups": ["finance"] })));
        expect(res.status).to.equal(401);
    });

    it("refuses to start with testUserGroups naming a group no route names", async () => {
        let error: unknown;
        try {
            running.push(await start({ testUserGroups: JSON.stringify(["hr"]) }));
        } catch (err) {
            error = err;
        }
        expect(String(error)).to.match(/testUserGroups\[0\] = "hr" is not a group the route table names \(finance, sales\)/);
    });
});

/**
 * Issue 24's "done means", end to end over real HTTP: the sales report kept to finance, a GPT-style client at the REST
 * route and the official MCP SDK client at /mcp, as the test user outside the group and then in it (testUserGroups).
 */
describe("local mode: a route kept to a group, on both surfaces", function () {
    this.timeout(30_000);
    const table = { ...routes, getSalesReport: { ...routes.getSalesReport, groups: ["finance"] } };
    const REPORT = JSON.stringify({ month: "2026-10", region: "EMEA" });
    let restoreLogs = (): void => undefined;
    let local: LocalServer | undefined;
    afterEach(async () => {
        restoreLogs();
        await local?.close();
        local = undefined;
        clearHandlerEnv();
    });

    /** Local mode whose function is built from `table` (the shipped handler's table has no groups), the test user in `groups`. */
    async function asMemberOf(groups: readonly string[]): Promise<{ rest: (path: string, body: string) => Promise<Response>; mcp: Client }> {
        local = await withAccess({ getSalesReport: { groups: ["finance"] } }, () => startLocal({
            port: 0, stackFile: LOCAL_STACK_FILE, handler: createHandler(table, operations), config: { testUserGroups: JSON.stringify(groups) },
        }));
        restoreLogs = silenceLogs();
        const server = local;
        const { access_token: gptToken } = await gptTokens(server);
        const rest = (path: string, body: string) => fetch(`${server.outputs.apiUrl}${path}`, {
            method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${gptToken}` }, body,
        });
        const { access_token: mcpToken } = await mcpTokens(server.outputs, mcpScope(server.outputs.apiUrl));
        const mcp = new Client({ name: "tests", version: "1.0.0" });
        await mcp.connect(new StreamableHTTPClientTransport(new URL(server.outputs.mcpServerUrl ?? ""), { requestInit: { headers: { Authorization: `Bearer ${mcpToken}` } } }));
        return { rest, mcp };
    }

    it("refuses a user outside the group: 403 at the REST route, no tool, no call; the open route unaffected", async () => {
        const { rest, mcp } = await asMemberOf([]);
        const refused = await rest("/reports/sales", REPORT);
        expect(refused.status).to.equal(403);
        expect(JSON.stringify(await refused.json())).to.not.include("finance");
        expect((await rest("/my_route", "{}")).status).to.equal(200);
        const { tools } = await mcp.listTools();
        expect(tools.map((t) => t.name)).to.include("postSuccess").and.not.include("getSalesReport");
        let error: unknown;
        try {
            await mcp.callTool({ name: "getSalesReport", arguments: { month: "2026-10" } });
        } catch (err) {
            error = err;
        }
        expect(String(error)).to.match(/getSalesReport/);
        expect((await mcp.callTool({ name: "postSuccess", arguments: {} })).isError).to.not.equal(true);
        await mcp.close();
    });

    it("lets the same user in with testUserGroups, on both surfaces", async () => {
        const { rest, mcp } = await asMemberOf(["finance"]);
        expect((await rest("/reports/sales", REPORT)).status).to.equal(200);
        const { tools } = await mcp.listTools();
        expect(tools.map((t) => t.name)).to.include.members(["postSuccess", "getSalesReport"]);
        const result = await mcp.callTool({ name: "getSalesReport", arguments: { month: "2026-10", region: "EMEA" } });
        expect(result.isError).to.not.equal(true);
        await mcp.close();
    });
});
