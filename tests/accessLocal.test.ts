/**
 * Local mode's tokens carry the test user's groups (testUserGroups) as Cognito's do, in `cognito:groups`, and its
 * gateway, like API Gateway's Cognito authorizer, refuses a token whose claims were edited after signing.
 */
import { expect } from "chai";
import { decodeJwt } from "jose";
import { startLocal, type LocalServer } from "../local/server";
import { LOCAL_STACK_FILE, clearHandlerEnv, silenceLogs } from "./localMode";
import { withAccess } from "./routeAccess";
import { signIn } from "./signIn";

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
