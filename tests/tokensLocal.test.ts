/**
 * Refresh tokens and the token endpoints' CORS in local mode, over real HTTP with an injected clock (no sleeps):
 * Cognito's refresh token rotation as AWS documents it (a new refresh token on each refresh, the one sent still valid
 * for the retry grace period after its first use, then refused), for the public static MCP client straight at the
 * Cognito-shaped server and for a CIMD client through the OAuth facade; the confidential clients do not rotate; and the
 * facade's token and revocation endpoints answer preflights and carry `Access-Control-Allow-Origin: *` on every answer.
 */
import { expect } from "chai";
import { facadeUrls } from "../handler/facade/paths";
import { mcpScope } from "../infra/mcpMetadata";
import { RETRY_GRACE_PERIOD_SECONDS } from "../infra/refreshTokens";
import { CLIENT_REDIRECT, documentHost, pkcePair, serveJson, type DocumentHost } from "./facadeFixtures";
import { localModeForSuite } from "./localMode";
import { hiddenFields, passConsent } from "./signIn";

const GRACE_MS = RETRY_GRACE_PERIOD_SECONDS * 1000;

interface Tokens {
    readonly access_token: string;
    readonly refresh_token?: string;
}

/** A CIMD client's document, a public client as ChatGPT's. */
const clientDocument = (url: string) => ({
    client_id: url, client_name: "rotation test client", redirect_uris: [CLIENT_REDIRECT],
    grant_types: ["authorization_code", "refresh_token"], response_types: ["code"], token_endpoint_auth_method: "none",
});

/** Submits local mode's login form for the page at `loginUrl`; returns the Location of the answer (the redirect URI with a code). */
async function logIn(loginUrl: URL, user: { readonly username: string; readonly password: string }): Promise<URL> {
    const page = await fetch(loginUrl);
    expect(page.status).to.equal(200);
    const login = new URL("/login", loginUrl);
    const res = await fetch(login, { method: "POST", body: new URLSearchParams({ ...hiddenFields(await page.text()), ...user }), redirect: "manual" });
    expect(res.status).to.equal(302);
    return new URL(res.headers.get("location") ?? "");
}

/**
 * Follows redirects by hand until the next hop would leave `within` (a predicate on the URL); returns that hop. The
 * facade's consent page, on the way for a CIMD client, is answered Allow as the user would.
 */
async function followWhile(start: URL, within: (url: URL) => boolean): Promise<URL> {
    let next = start;
    for (let hop = 0; within(next) && hop < 5; hop++) {
        const res = await passConsent(await fetch(next, { redirect: "manual" }));
        expect(res.status, next.pathname).to.be.oneOf([302, 303]);
        next = new URL(res.headers.get("location") ?? "", next);
    }
    return next;
}

const postForm = (url: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(url, { method: "POST", headers, body: new URLSearchParams(fields) });

describe("refresh token rotation in local mode", function () {
    this.timeout(30_000);
    let host: DocumentHost;
    let cimdClient: string;
    let now = Date.now();

    before(async () => {
        host = await documentHost(serveJson(clientDocument));
        cimdClient = `${host.origin}/rotation/client.json`;
    });
    after(() => host.close());
    const local = localModeForSuite(() => ({ clock: () => now, config: { mcpPublicClient: "true" }, testClientMetadataUrls: [cimdClient] }));
    afterEach(() => {
        now = Date.now();
    });

    const user = () => local().outputs.testUser;
    const facade = () => facadeUrls(local().outputs.apiUrl);

    describe("the public MCP client, straight at the Cognito-shaped token endpoint", () => {
        const mcpClientId = () => local().outputs.mcpClientId ?? "";

        /** A code for the MCP client, read off the redirect to the facade's callback (its only callback at Cognito). */
        async function signedIn(): Promise<Tokens> {
            const { verifier, challenge } = pkcePair();
            const authorize = new URL(local().outputs.authorizationUrl);
            authorize.search = new URLSearchParams({
                response_type: "code", client_id: mcpClientId(), redirect_uri: local().facade?.callbackUrl ?? "", scope: mcpScope(local().outputs.apiUrl),
                code_challenge: challenge, code_challenge_method: "S256",
            }).toString();
            const back = await logIn(await followWhile(authorize, (url) => url.pathname === "/oauth2/authorize"), user());
            const res = await postForm(local().outputs.tokenUrl, {
                grant_type: "authorization_code", client_id: mcpClientId(), code: back.searchParams.get("code") ?? "", redirect_uri: local().facade?.callbackUrl ?? "", code_verifier: verifier,
            });
            expect(res.status).to.equal(200);
            return (await res.json()) as Tokens;
        }
        const refresh = (refreshToken: string) => postForm(local().outputs.tokenUrl, { grant_type: "refresh_token", client_id: mcpClientId(), refresh_token: refreshToken });

        it("answers a refresh with a new refresh token; the old one works for the grace period after its first use, then is refused", async () => {
            const first = (await signedIn()).refresh_token ?? "";
            const rotated = await refresh(first);
            expect(rotated.status).to.equal(200);
            const second = ((await rotated.json()) as Tokens).refresh_token ?? "";
            expect(second).to.be.a("string").and.not.equal(first);

            // A retry within the grace period is a refresh like any other: new tokens, another new refresh token.
            now += GRACE_MS - 1000;
            const retry = await refresh(first);
            expect(retry.status).to.equal(200);
            const third = ((await retry.json()) as Tokens).refresh_token ?? "";
            expect(third).to.not.be.oneOf([first, second]);

            now += 1000;
            const late = await refresh(first);
            expect(late.status).to.equal(400);
            expect(await late.json()).to.include({ error: "invalid_grant" });

            // The tokens it rotated into keep working, and rotate in turn.
            const next = await refresh(second);
            expect(next.status).to.equal(200);
            expect(((await next.json()) as Tokens).refresh_token).to.be.a("string").and.not.equal(second);
        });

        it("refuses every refresh token of the sign-in once one is revoked", async () => {
            const first = (await signedIn()).refresh_token ?? "";
            const second = ((await (await refresh(first)).json()) as Tokens).refresh_token ?? "";
            expect((await postForm(`${local().baseUrl}/oauth2/revoke`, { token: second, client_id: mcpClientId() })).status).to.equal(200);
            for (const token of [first, second]) {
                expect(await (await refresh(token)).json()).to.include({ error: "invalid_grant" });
            }
        });
    });

    describe("the confidential GPT Action client", () => {
        it("does not rotate: a refresh answers no refresh token, and the same one keeps working", async () => {
            const { verifier, challenge } = pkcePair();
            const authorize = new URL(local().outputs.authorizationUrl);
            authorize.search = new URLSearchParams({
                response_type: "code", client_id: local().outputs.clientId, redirect_uri: local().outputs.callbackUrls[0], scope: "openid", code_challenge: challenge, code_challenge_method: "S256",
            }).toString();
            const back = await logIn(await followWhile(authorize, (url) => url.pathname === "/oauth2/authorize"), user());
            const basic = { Authorization: `Basic ${Buffer.from(`${local().outputs.clientId}:${local().outputs.clientSecret}`).toString("base64")}` };
            const tokens = (await (await postForm(local().outputs.tokenUrl, {
                grant_type: "authorization_code", code: back.searchParams.get("code") ?? "", redirect_uri: local().outputs.callbackUrls[0], code_verifier: verifier,
            }, basic)).json()) as Tokens;
            for (let i = 0; i < 2; i++) {
                now += 2 * GRACE_MS;
                const res = await postForm(local().outputs.tokenUrl, { grant_type: "refresh_token", refresh_token: tokens.refresh_token ?? "" }, basic);
                expect(res.status).to.equal(200);
                expect(await res.json()).to.not.have.property("refresh_token");
            }
        });
    });

    describe("a CIMD client, through the OAuth facade", () => {
        async function signedIn(): Promise<Tokens> {
            const { verifier, challenge } = pkcePair();
            const authorize = new URL(facade().authorize);
            authorize.search = new URLSearchParams({
                response_type: "code", client_id: cimdClient, redirect_uri: CLIENT_REDIRECT, scope: mcpScope(local().outputs.apiUrl), state: "s",
                code_challenge: challenge, code_challenge_method: "S256", resource: local().outputs.mcpServerUrl ?? "",
            }).toString();
            const atFacadeCallback = await logIn(await followWhile(authorize, (url) => url.pathname !== "/login"), user());
            const back = await followWhile(atFacadeCallback, (url) => url.href.startsWith(facade().callback));
            expect(`${back.origin}${back.pathname}`).to.equal(CLIENT_REDIRECT);
            const res = await postForm(facade().token, {
                grant_type: "authorization_code", client_id: cimdClient, code: back.searchParams.get("code") ?? "", redirect_uri: CLIENT_REDIRECT, code_verifier: verifier,
            });
            expect(res.status).to.equal(200);
            return (await res.json()) as Tokens;
        }
        const refresh = (refreshToken: string) => postForm(facade().token, { grant_type: "refresh_token", client_id: cimdClient, refresh_token: refreshToken });

        it("passes each rotated refresh token on, wrapped anew; a rotated-out one is refused after the grace period", async () => {
            const first = (await signedIn()).refresh_token ?? "";
            const rotated = await refresh(first);
            expect(rotated.status).to.equal(200);
            const second = ((await rotated.json()) as Tokens).refresh_token ?? "";
            expect(second).to.be.a("string").and.not.equal(first);

            now += GRACE_MS - 1000;
            expect((await refresh(first)).status, "a retry within the grace period").to.equal(200);
            now += 1000;
            const late = await refresh(first);
            expect(late.status).to.equal(400);
            expect(await late.json()).to.include({ error: "invalid_grant" });
            expect((await refresh(second)).status).to.equal(200);
        });

        it("answers the token and revocation endpoints with Access-Control-Allow-Origin: *, errors included, and their preflights", async () => {
            const tokens = await signedIn();
            const answers = [
                await refresh(tokens.refresh_token ?? ""),
                await postForm(facade().token, { grant_type: "refresh_token", client_id: cimdClient, refresh_token: "forged" }),
                await postForm(facade().token, { grant_type: "password" }),
                await fetch(facade().token, { method: "POST", body: "{}", headers: { "Content-Type": "application/json" } }),
                await postForm(facade().revoke, { token: tokens.refresh_token ?? "", client_id: cimdClient }),
                await postForm(facade().revoke, { client_id: cimdClient }),
            ];
            expect(answers.map((a) => a.status)).to.deep.equal([200, 400, 401, 400, 200, 400]);
            for (const answer of answers) {
                expect(answer.headers.get("access-control-allow-origin")).to.equal("*");
                expect(answer.headers.get("access-control-allow-credentials")).to.equal(null);
            }
            for (const url of [facade().token, facade().revoke]) {
                const preflight = await fetch(url, {
                    method: "OPTIONS",
                    headers: { Origin: "http://localhost:6274", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type" },
                });
                expect(preflight.status).to.equal(200);
                expect(preflight.headers.get("access-control-allow-origin")).to.equal("*");
                expect(preflight.headers.get("access-control-allow-methods")).to.equal("POST,OPTIONS");
                expect(preflight.headers.get("access-control-allow-headers")).to.equal("Content-Type,Authorization");
                expect(preflight.headers.get("access-control-allow-credentials")).to.equal(null);
            }
            // Navigations need none.
            const authorize = await fetch(facade().authorize, { redirect: "manual" });
            expect(authorize.headers.get("access-control-allow-origin")).to.equal(null);
            expect((await fetch(facade().authorize, { method: "OPTIONS" })).status).to.equal(403);
        });
    });
});
