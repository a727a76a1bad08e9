/**
 * End to end over real HTTP: local mode started on a free port, driven the way ChatGPT drives a GPT Action
 * (openid-client for the OAuth side), then attacked.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import { expect } from "chai";
import { execFileSync, spawn } from "node:child_process";
import * as path from "node:path";
import { decodeJwt, exportJWK, generateKeyPair, SignJWT } from "jose";
import * as oidc from "openid-client";
import { bearerChallenge, mcpScope } from "../infra/mcpMetadata";
import { LocalAuthority } from "../local/oauth";
import { startLocal, type LocalServer } from "../local/server";
import { LOCAL_STACK_FILE, clearHandlerEnv, silenceLogs } from "./localMode";
import { yamlOf } from "./yamlForm";

const ONE_HOUR_MS = 3600 * 1000;
/** Local mode's tests read this stack file, never the user's Pulumi.dev.yaml. */

/** The stack file's YAML an error page shows under its `pulumi config set` command, read from the page's text and parsed. */
const stackFileForm = (html: string): unknown =>
    yamlOf(html.replace(/<[^>]*>/g, "").replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))));

/** The hidden fields of the login page's form. */
function hiddenFields(html: string): Record<string, string> {
    const unescape = (s: string) => s.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
    const fields: Record<string, string> = {};
    for (const match of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
        fields[unescape(match[1])] = unescape(match[2]);
    }
    return fields;
}

describe("local mode, end to end", function () {
    this.timeout(30_000);
    let local: LocalServer;
    let now = Date.now();
    let redirectUri: string;

    let restoreLogs: () => void;
    before(async () => {
        local = await startLocal({ port: 0, stackFile: LOCAL_STACK_FILE, clock: () => now });
        restoreLogs = silenceLogs();
        redirectUri = local.outputs.callbackUrls[0];
    });
    after(async () => {
        restoreLogs();
        await local.close();
        clearHandlerEnv();
    });
    afterEach(() => {
        now = Date.now();
    });

    const discover = (auth: oidc.ClientAuth) =>
        oidc.discovery(new URL(local.authority.issuer), local.outputs.clientId, undefined, auth, { execute: [oidc.allowInsecureRequests] });

    /** Follows the hosted UI as a browser would: authorize → login page → POST credentials. Returns the final redirect. */
    async function signIn(authorizeUrl: URL, password = local.outputs.testUser.password): Promise<Response> {
        const toLogin = await fetch(authorizeUrl, { redirect: "manual" });
        expect(toLogin.status, "authorize redirects to the login page").to.equal(302);
        const loginUrl = new URL(toLogin.headers.get("location") ?? "", local.baseUrl);
        expect(loginUrl.pathname).to.equal("/login");
        const page = await fetch(loginUrl);
        expect(page.status).to.equal(200);
        const form = new URLSearchParams({ ...hiddenFields(await page.text()), username: local.outputs.testUser.username, password });
        return fetch(new URL("/login", local.baseUrl), { method: "POST", body: form, redirect: "manual" });
    }

    /** The whole flow with `auth`, returning the tokens. */
    async function tokensWith(auth: oidc.ClientAuth, scope = local.outputs.scope) {
        const config = await discover(auth);
        const state = oidc.randomState();
        const url = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope, state });
        const back = await signIn(url);
        expect(back.status).to.equal(302);
        const callback = new URL(back.headers.get("location") ?? "");
        expect(callback.searchParams.get("state")).to.equal(state);
        const tokens = await oidc.authorizationCodeGrant(config, callback, { expectedState: state });
        return { config, tokens, callback };
    }

    const callApi = (token: string | undefined, route = "/my_route", body = "{}", scheme = "Bearer ") =>
        fetch(`${local.outputs.apiUrl}${route}`, {
            method: "POST",
            headers: { "Content-Type": "application/json", ...(token === undefined ? {} : { Authorization: `${scheme}${token}` }) },
            body,
        });

    async function expectUnauthorized(token: string | undefined, scheme?: string): Promise<void> {
        const res = await callApi(token, "/my_route", "{}", scheme);
        expect(res.status).to.equal(401);
        // The fixture stack has MCP on: every gateway 401 names the MCP resource metadata.
        expect(res.headers.get("www-authenticate")).to.equal(bearerChallenge(local.outputs.apiUrl, mcpScope(local.outputs.apiUrl)));
        expect(await res.json()).to.deep.equal({ message: "Unauthorized" });
    }

    describe("what ChatGPT does", () => {
        it("signs in, exchanges the code with HTTP Basic, calls POST /my_route, refreshes and calls again", async () => {
            const { config, tokens } = await tokensWith(oidc.ClientSecretBasic(local.outputs.clientSecret));
            const first = await callApi(tokens.access_token);
            expect(first.status).to.equal(200);
            expect(await first.json()).to.deep.equal({ success: true });

            expect(tokens.refresh_token).to.be.a("string");
            const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token ?? "");
            expect(refreshed.access_token).to.not.equal(tokens.access_token);
            const again = await oidc.fetchProtectedResource(config, refreshed.access_token, new URL(`${local.outputs.apiUrl}/my_route`), "POST", "{}", new Headers({ "Content-Type": "application/json" }));
            expect(again.status).to.equal(200);
            expect(await again.json()).to.deep.equal({ success: true });
        });

        it("exchanges the code with client_secret in the body too", async () => {
            const { tokens } = await tokensWith(oidc.ClientSecretPost(local.outputs.clientSecret));
            expect((await callApi(tokens.access_token)).status).to.equal(200);
        });

        it("supports PKCE (S256)", async () => {
            const config = await discover(oidc.ClientSecretBasic(local.outputs.clientSecret));
            const verifier = oidc.randomPKCECodeVerifier();
            const url = oidc.buildAuthorizationUrl(config, {
                redirect_uri: redirectUri,
                scope: "openid",
                code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
                code_challenge_method: "S256",
            });
            const back = await signIn(url);
            const tokens = await oidc.authorizationCodeGrant(config, new URL(back.headers.get("location") ?? ""), { pkceCodeVerifier: verifier });
            expect((await callApi(tokens.access_token)).status).to.equal(200);
        });

        it("issues tokens with Cognito's claims", async () => {
            const { tokens, config } = await tokensWith(oidc.ClientSecretBasic(local.outputs.clientSecret), "openid email");
            const access = decodeJwt(tokens.access_token);
            expect(access).to.include({ client_id: local.outputs.clientId, scope: "openid email", token_use: "access", iss: local.authority.issuer });
            for (const claim of ["sub", "exp", "iat", "jti", "username"]) {
                expect(access, claim).to.have.property(claim);
            }
            const id = decodeJwt(tokens.id_token ?? "");
            expect(id).to.include({ aud: local.outputs.clientId, email: local.outputs.testUser.username, token_use: "id", sub: access.sub });
            const info = await oidc.fetchUserInfo(config, tokens.access_token, String(access.sub));
            expect(info.email).to.equal(local.outputs.testUser.username);
        });

        it("serves the schema's routes with the handler's validation", async () => {
            const { tokens } = await tokensWith(oidc.ClientSecretBasic(local.outputs.clientSecret));
            const report = await callApi(tokens.access_token, "/reports/sales", JSON.stringify({ month: "2026-10" }));
            expect(report.status).to.equal(200);
            const body = await report.json() as { openaiFileResponse: Array<{ name: string }> };
            expect(body.openaiFileResponse[0].name).to.equal("sales-2026-10.csv");
            const bad = await callApi(tokens.access_token, "/reports/sales", JSON.stringify({ month: "soon" }));
            expect(bad.status).to.equal(400);
            expect(await bad.json()).to.have.nested.property("error.code", "invalid_body");
        });

        it("answers CORS preflights and unknown paths as API Gateway does", async () => {
            const preflight = await fetch(`${local.outputs.apiUrl}/my_route`, { method: "OPTIONS" });
            expect(preflight.status).to.equal(200);
            expect(preflight.headers.get("access-control-allow-origin")).to.equal("*");
            expect(preflight.headers.get("access-control-allow-methods")).to.equal("POST,OPTIONS");
            const unknown = await fetch(`${local.outputs.apiUrl}/nope`, { method: "POST" });
            expect(unknown.status).to.equal(403);
            expect(await unknown.json()).to.deep.equal({ message: "Missing Authentication Token" });
        });

        it("loads no Pulumi package (the config module is pure), so it starts fast and stays light", () => {
            const probe = "require('./local/server.ts'); console.log(Object.keys(require.cache).filter((k) => k.includes('@pulumi')).length)";
            const out = execFileSync(process.execPath, ["--require", "tsx/cjs", "-e", probe], { cwd: path.join(__dirname, ".."), encoding: "utf8" });
            expect(out.trim()).to.equal("0");
        });

        it("prints the outputs as one JSON line when started with npm run local -- --json", async () => {
            // Its own process group, so that stopping it stops npm's children too.
            const child = spawn("npm", ["run", "--silent", "local", "--", "--json"], {
                cwd: path.join(__dirname, ".."),
                env: { ...process.env, PORT: "0", GPT_ACTION_STACK_FILE: LOCAL_STACK_FILE },
                stdio: ["ignore", "pipe", "ignore"],
                detached: true,
            });
            const stop = () => { try { process.kill(-(child.pid ?? 0)); } catch { /* already gone */ } };
            const killer = setTimeout(stop, 25_000);
            try {
                const firstLine = await new Promise<string>((resolve, reject) => {
                    let text = "";
                    child.stdout.on("data", (chunk: Buffer) => {
                        text += chunk.toString();
                        if (text.includes("\n")) {
                            resolve(text.slice(0, text.indexOf("\n")));
                        }
                    });
                    child.on("exit", () => reject(new Error(`exited before printing: ${text}`)));
                });
                const outputs = JSON.parse(firstLine) as Record<string, unknown>;
                expect(outputs).to.have.all.keys("apiUrl", "authorizationUrl", "tokenUrl", "clientId", "clientSecret", "scope",
                    "tokenExchangeMethod", "openApiSchema", "callbackUrls", "mcpServerUrl", "mcpClientId", "mcpClientSecret", "mcpCallbackUrls", "testUser");
                expect(outputs.testUser).to.have.all.keys("username", "password");
                const preflight = await fetch(`${String(outputs.apiUrl)}/my_route`, { method: "POST" });
                expect(preflight.status).to.equal(401);
            } finally {
                clearTimeout(killer);
                stop();
            }
        });
    });

    describe("the authorizer's rules", () => {
        let good: string;
        let idToken: string;
        before(async () => {
            const { tokens } = await tokensWith(oidc.ClientSecretBasic(local.outputs.clientSecret));
            good = tokens.access_token;
            idToken = tokens.id_token ?? "";
        });

        it("accepts the access token with or without the Bearer prefix", async () => {
            expect((await callApi(good, "/my_route", "{}", "")).status).to.equal(200);
        });

        it("refuses a missing or malformed token", async () => {
            await expectUnauthorized(undefined);
            await expectUnauthorized("not-a-jwt");
            await expectUnauthorized("a.b.c");
        });

        it("refuses an expired token", async () => {
            now += ONE_HOUR_MS + 1000;
            await expectUnauthorized(good);
        });

        it("refuses a tampered signature", async () => {
            const [header, payload, signature] = good.split(".");
            const flipped = `${signature.slice(0, 10)}${signature[10] === "A" ? "B" : "A"}${signature.slice(11)}`;
            await expectUnauthorized(`${header}.${payload}.${flipped}`);
        });

        it("refuses a tampered payload", async () => {
            const [header, , signature] = good.split(".");
            const payload = Buffer.from(JSON.stringify({ ...decodeJwt(good), sub: "someone-else" })).toString("base64url");
            await expectUnauthorized(`${header}.${payload}.${signature}`);
        });

        it("refuses a token signed by another key, even under the same kid", async () => {
            const { privateKey } = await generateKeyPair("RS256");
            const kid = local.authority.jwks.keys[0].kid ?? "";
            const forged = await new SignJWT(decodeJwt(good)).setProtectedHeader({ alg: "RS256", kid }).sign(privateKey);
            await expectUnauthorized(forged);
        });

        it("refuses alg: none", async () => {
            const header = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
            const payload = Buffer.from(JSON.stringify(decodeJwt(good))).toString("base64url");
            await expectUnauthorized(`${header}.${payload}.`);
        });

        it("refuses an HS256 token keyed with the public key", async () => {
            const jwk = await exportJWK((await generateKeyPair("RS256")).publicKey);
            const secret = new TextEncoder().encode(JSON.stringify(jwk));
            const kid = local.authority.jwks.keys[0].kid ?? "";
            await expectUnauthorized(await new SignJWT(decodeJwt(good)).setProtectedHeader({ alg: "HS256", kid }).sign(secret));
        });

        it("refuses an ID token", async () => {
            await expectUnauthorized(idToken);
        });

        it("refuses a token without any configured scope", async () => {
            await expectUnauthorized(await local.authority.sign({ ...decodeJwt(good), scope: "phone" }));
            await expectUnauthorized(await local.authority.sign({ ...decodeJwt(good), scope: undefined }));
        });

        it("refuses a token of another issuer", async () => {
            await expectUnauthorized(await local.authority.sign({ ...decodeJwt(good), iss: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other" }));
        });
    });

    describe("the OAuth server's rules", () => {
        const form = (fields: Record<string, string>) => new URLSearchParams(fields);
        const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;

        async function code(): Promise<string> {
            const url = new URL(local.outputs.authorizationUrl);
            url.search = form({ response_type: "code", client_id: local.outputs.clientId, redirect_uri: redirectUri, scope: "openid", state: "s1" }).toString();
            const back = await signIn(url);
            return new URL(back.headers.get("location") ?? "").searchParams.get("code") ?? "";
        }

        const exchange = (theCode: string, secret = local.outputs.clientSecret, redirect = redirectUri) =>
            fetch(local.outputs.tokenUrl, {
                method: "POST",
                headers: { Authorization: basic(local.outputs.clientId, secret), "Content-Type": "application/x-www-form-urlencoded" },
                body: form({ grant_type: "authorization_code", code: theCode, redirect_uri: redirect }),
            });

        it("refuses a reused code", async () => {
            const theCode = await code();
            expect((await exchange(theCode)).status).to.equal(200);
            const again = await exchange(theCode);
            expect(again.status).to.equal(400);
            expect(await again.json()).to.include({ error: "invalid_grant" });
        });

        it("refuses an unknown code", async () => {
            const res = await exchange("made-up");
            expect(res.status).to.equal(400);
            expect(await res.json()).to.include({ error: "invalid_grant" });
        });

        it("refuses a code after five minutes", async () => {
            const theCode = await code();
            now += 5 * 60 * 1000 + 1;
            expect(await (await exchange(theCode)).json()).to.include({ error: "invalid_grant" });
        });

        it("refuses a code exchanged with another redirect URI", async () => {
            const theCode = await code();
            expect(await (await exchange(theCode, local.outputs.clientSecret, "http://localhost:1/elsewhere")).json()).to.include({ error: "invalid_grant" });
        });

        it("refuses a wrong client secret with 401 invalid_client", async () => {
            const res = await exchange(await code(), "wrong-secret");
            expect(res.status).to.equal(401);
            expect(await res.json()).to.include({ error: "invalid_client" });
        });

        it("shows an error page, and never redirects, for an unregistered redirect URI", async () => {
            const url = new URL(local.outputs.authorizationUrl);
            url.search = form({ response_type: "code", client_id: local.outputs.clientId, redirect_uri: "https://evil.example/cb", scope: "openid" }).toString();
            const res = await fetch(url, { redirect: "manual" });
            expect(res.status).to.equal(400);
            expect(res.headers.get("location")).to.equal(null);
            const page = await res.text();
            expect(page).to.include("redirect_mismatch");
            expect(page, "names the URI it got and how to register it").to.include("https://evil.example/cb").and.include("pulumi config set callbackUrl");
            expect(stackFileForm(page), "and the same edit in the stack file, for a user without the Pulumi CLI").to.deep.equal({ "gpt-action:callbackUrl": "https://evil.example/cb" });
        });

        it("names mcpCallbackUrl for the MCP client, and offers no shell command for a URI with a quote", async () => {
            const page = async (clientId: string | undefined, redirectUri: string) => {
                const url = new URL(local.outputs.authorizationUrl);
                url.search = form({ response_type: "code", client_id: clientId ?? "", redirect_uri: redirectUri, scope: "openid" }).toString();
                return (await fetch(url, { redirect: "manual" })).text();
            };
            const mcp = await page(local.outputs.mcpClientId, "https://evil.example/cb");
            expect(mcp).to.include("pulumi config set mcpCallbackUrl 'https://evil.example/cb'");
            expect(stackFileForm(mcp)).to.deep.equal({ "gpt-action:mcpCallbackUrl": "https://evil.example/cb" });
            const quoted = await page(local.outputs.clientId, "https://evil.example/cb?x=';touch /tmp/owned;'");
            expect(quoted).to.include("pulumi config set callbackUrl …").and.not.include("pulumi config set callbackUrl &#39;");
            expect(stackFileForm(quoted)).to.deep.equal({ "gpt-action:callbackUrl": "…" });
        });

        it("escapes the redirect URI it names and the email it keeps", async () => {
            const hostile = `https://evil.example/cb?"><b>x</b>`;
            const url = new URL(local.outputs.authorizationUrl);
            url.search = form({ response_type: "code", client_id: local.outputs.clientId, redirect_uri: hostile, scope: "openid" }).toString();
            const mismatch = await (await fetch(url, { redirect: "manual" })).text();
            expect(mismatch).to.not.include("<b>x</b>");
            expect(mismatch).to.include("&#60;b&#62;x&#60;/b&#62;");
            const typed = `"><b>x</b>@example.com`;
            const again = await fetch(new URL("/login", local.baseUrl), {
                method: "POST",
                redirect: "manual",
                body: form({ response_type: "code", client_id: local.outputs.clientId, redirect_uri: redirectUri, scope: "openid", username: typed, password: "wrong" }),
            });
            const page = await again.text();
            expect(page).to.not.include("<b>x</b>");
            expect(page).to.include(`value="&#34;&#62;&#60;b&#62;x&#60;/b&#62;@example.com"`);
        });

        it("shows the login page again, with no code, after a wrong password", async () => {
            const url = new URL(local.outputs.authorizationUrl);
            url.search = form({ response_type: "code", client_id: local.outputs.clientId, redirect_uri: redirectUri, scope: "openid" }).toString();
            const res = await signIn(url, "wrong-password");
            expect(res.status).to.equal(200);
            expect(res.headers.get("location")).to.equal(null);
            expect(await res.text()).to.include("Incorrect username or password.");
        });

        it("redirects scope errors with the state echoed", async () => {
            const url = new URL(local.outputs.authorizationUrl);
            url.search = form({ response_type: "code", client_id: local.outputs.clientId, redirect_uri: redirectUri, scope: "admin", state: "keep-me" }).toString();
            const res = await fetch(url, { redirect: "manual" });
            const location = new URL(res.headers.get("location") ?? "");
            expect(location.searchParams.get("error")).to.equal("invalid_scope");
            expect(location.searchParams.get("state")).to.equal("keep-me");
        });

        it("refuses an unknown refresh token", async () => {
            const res = await fetch(local.outputs.tokenUrl, {
                method: "POST",
                headers: { Authorization: basic(local.outputs.clientId, local.outputs.clientSecret) },
                body: form({ grant_type: "refresh_token", refresh_token: "made-up" }),
            });
            expect(res.status).to.equal(400);
            expect(await res.json()).to.include({ error: "invalid_grant" });
        });
    });
});

describe("local mode's API Gateway emulation", function () {
    this.timeout(30_000);
    let local: LocalServer;
    let token: string;
    /** What the stand-in function received last, and what it answers next. */
    let received: { event: APIGatewayProxyEvent; context: Context } | undefined;
    let answer: () => unknown;

    before(async () => {
        local = await startLocal({
            port: 0,
            stackFile: LOCAL_STACK_FILE,
            handler: (event, context) => {
                received = { event, context };
                return Promise.resolve(answer() as APIGatewayProxyResult);
            },
        });
        const claims = { sub: "user-1", iss: local.authority.issuer, client_id: local.outputs.clientId, token_use: "access", scope: "openid", exp: Math.floor(Date.now() / 1000) + 600 };
        token = await local.authority.sign(claims);
    });
    after(async () => {
        await local.close();
        clearHandlerEnv();
    });
    beforeEach(() => {
        received = undefined;
        answer = () => ({ statusCode: 200, headers: { "Content-Type": "application/json" }, body: "{}" });
    });

    const post = (target: string, headers: Record<string, string> = {}) =>
        fetch(`${local.outputs.apiUrl}${target}`, { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", ...headers }, body: '{"a":1}' });

    it("hands the function API Gateway's proxy event, query string included", async () => {
        expect((await post("/my_route?month=2026-10&tag=a&tag=b", { "X-Trace": "t1" })).status).to.equal(200);
        const event = received?.event;
        expect(event).to.deep.include({
            resource: "/my_route",
            path: "/my_route",
            httpMethod: "POST",
            body: '{"a":1}',
            isBase64Encoded: false,
            queryStringParameters: { month: "2026-10", tag: "b" },
            multiValueQueryStringParameters: { month: ["2026-10"], tag: ["a", "b"] },
            pathParameters: null,
            stageVariables: null,
        });
        expect(event?.headers).to.include({ Authorization: `Bearer ${token}`, "X-Trace": "t1" });
        expect(event?.multiValueHeaders["X-Trace"]).to.deep.equal(["t1"]);
        expect(event?.requestContext).to.deep.include({ stage: local.config.stageName, resourcePath: "/my_route", httpMethod: "POST", path: `/${local.config.stageName}/my_route` });
        // The authorizer hands over every claim as a string.
        const claims = event?.requestContext.authorizer?.claims as Record<string, unknown>;
        expect(claims).to.deep.include({ sub: "user-1", token_use: "access", scope: "openid" });
        expect(Object.values(claims).map((v) => typeof v)).to.not.include("number");
        expect(received?.context.awsRequestId).to.equal(event?.requestContext.requestId);
    });

    it("sends null query parameters when there is no query string", async () => {
        await post("/my_route");
        expect(received?.event.queryStringParameters).to.equal(null);
        expect(received?.event.multiValueQueryStringParameters).to.equal(null);
    });

    it("answers 502 Internal server error when the function throws or returns no proxy result", async () => {
        for (const bad of [() => { throw new Error("boom"); }, () => undefined, () => ({ body: "{}" }), () => ({ statusCode: 200, body: {} }), () => ({ statusCode: 42 })]) {
            answer = bad;
            const res = await post("/my_route");
            expect(res.status).to.equal(502);
            expect(await res.json()).to.deep.equal({ message: "Internal server error" });
        }
    });

    it("sends the function's result with its length, decoding a base64 body and allowing none", async () => {
        answer = () => ({ statusCode: 201, headers: { "X-Count": 3 }, body: Buffer.from("héllo").toString("base64"), isBase64Encoded: true });
        const decoded = await post("/my_route");
        expect(decoded.status).to.equal(201);
        expect(decoded.headers.get("x-count")).to.equal("3");
        expect(decoded.headers.get("content-length")).to.equal("6");
        expect(await decoded.text()).to.equal("héllo");
        answer = () => ({ statusCode: 204 });
        const empty = await post("/my_route");
        expect(empty.status).to.equal(204);
        expect(await empty.text()).to.equal("");
    });

    it("keeps accepting remembered tokens in any order, and refuses each once it expires", async () => {
        const clock = { now: Date.now() };
        const authority = await LocalAuthority.create({
            issuer: "http://127.0.0.1",
            client: { id: "c", secret: "s", callbackUrls: [], scopes: ["openid"] },
            users: [],
            clock: () => clock.now,
        });
        const exp = Math.floor(clock.now / 1000) + 60;
        const [first, second] = await Promise.all(["a", "b"].map((sub) => authority.sign({ sub, iss: authority.issuer, token_use: "access", exp })));
        expect(authority.rememberedAccessToken(first), "not verified yet").to.equal(undefined);
        expect((await authority.verifyAccessToken(first))?.sub).to.equal("a");
        expect((await authority.verifyAccessToken(second))?.sub).to.equal("b");
        for (const [t, sub] of [[first, "a"], [second, "b"], [second, "b"], [first, "a"]]) {
            expect(authority.rememberedAccessToken(t)?.sub).to.equal(sub);
        }
        // A fresh copy of the same bytes is the same token.
        expect(authority.rememberedAccessToken(` ${first}`.slice(1))?.sub).to.equal("a");
        clock.now += 61_000;
        expect(authority.rememberedAccessToken(first)).to.equal(undefined);
        expect(authority.rememberedAccessToken(second)).to.equal(undefined);
        expect(await authority.verifyAccessToken(first)).to.equal(undefined);
    });
});
