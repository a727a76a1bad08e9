/**
 * The OAuth facade's endpoints, each security case of issue 14 as a test: the settings, authorize (open redirect,
 * allow-list, document checks, PKCE), callback (signed state: tampered, expired, replayed, missing; `iss`), token
 * and revoke (a code or refresh token of one client redeemed by another), against a stand-in for Cognito.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { createFacadeHandler, handler as environmentHandler } from "../handler/facade";
import { sealCode, sealState } from "../handler/facade/envelopes";
import { withParams } from "../handler/facade/responses";
import { open, seal } from "../handler/facade/signed";
import { FACADE_PATHS, facadeUrls, mcpResourceUrl, mcpToolsScope } from "../handler/facade/paths";
import {
    DEFAULT_CLIENT_METADATA_URLS, FACADE_ENV, facadeEnvironment, facadeSettings, readFacadeSettings, withStateKey, type FacadeEnvironmentValues, type FacadeSettings,
} from "../handler/facade/settings";
import { logSink } from "../handler/log";
import { authorizationServerMetadata, mcpScope, mcpServerUrl } from "../infra/mcpMetadata";
import {
    answerConsent, API_URL, CLIENT_REDIRECT, documentHost, facadeFor, fakeCognito, getEvent, HOSTED_UI, location, pkcePair, postEvent, RESOURCE, SCOPE, serveJson,
    settingsFor, SHADOW_CLIENT_ID, STATIC_CLIENT_ID, STATIC_REDIRECT, type DocumentHost,
} from "./facadeFixtures";

const TEN_MINUTES = 10 * 60 * 1000;
const STATE_KEY_SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:gpt-action-oauth-state-key-AbCdEf";

/** Silences the facade's per-request log lines; returns them. */
function capturedLogs(): { lines: string[]; restore: () => void } {
    const write = logSink.write;
    const lines: string[] = [];
    logSink.write = (line) => void lines.push(line);
    return { lines, restore: () => void (logSink.write = write) };
}

function expectErrorPage(result: APIGatewayProxyResult, pattern: RegExp): void {
    expect(result.statusCode, result.body.slice(0, 200)).to.equal(400);
    expect(result.headers?.Location, "never a redirect").to.equal(undefined);
    expect(result.headers?.["Content-Type"]).to.match(/^text\/html/);
    expect(result.body).to.match(pattern);
}

describe("OAuth facade settings", () => {
    const values: FacadeEnvironmentValues = {
        apiUrl: `${API_URL}/`,
        cognito: { authorizationEndpoint: `${HOSTED_UI}/oauth2/authorize`, tokenEndpoint: `${HOSTED_UI}/oauth2/token`, revocationEndpoint: `${HOSTED_UI}/oauth2/revoke` },
        shadowClientId: SHADOW_CLIENT_ID,
        stateKeySecretArn: STATE_KEY_SECRET_ARN,
        stateKeyVersionId: "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
        staticClients: { [STATIC_CLIENT_ID]: [STATIC_REDIRECT] },
    };

    it("builds the environment the function reads back: issuer, callback, scope and resource from the API URL, ChatGPT's and Claude's documents by default", () => {
        const environment = facadeEnvironment(values);
        expect(Object.keys(environment).sort()).to.deep.equal(Object.values(FACADE_ENV).sort());
        const settings = readFacadeSettings(environment);
        expect(settings.issuer).to.equal(API_URL);
        expect(settings.callbackUrl).to.equal(`${API_URL}/oauth/callback`);
        // The same strings the MCP metadata names (infra/mcpMetadata.ts), for the same API URL, with or without a slash.
        expect(settings.scope).to.equal(SCOPE).and.equal(mcpScope(values.apiUrl));
        expect(settings.resource).to.equal(RESOURCE).and.equal(mcpServerUrl(values.apiUrl));
        for (const apiUrl of [API_URL, "https://api.example.com", "https://api.example.com/v1/"]) {
            expect([mcpToolsScope(apiUrl), mcpResourceUrl(apiUrl)], apiUrl).to.deep.equal([mcpScope(apiUrl), mcpServerUrl(apiUrl)]);
        }
        expect(settings.clientMetadataUrls).to.deep.equal(DEFAULT_CLIENT_METADATA_URLS);
        expect(settings.clientMetadataUrls).to.deep.equal([
            "https://chatgpt.com/oauth/client.json", "https://chatgpt.com/oauth/*/client.json", "https://claude.ai/oauth/mcp-oauth-client-metadata",
        ]);
        expect([...settings.staticClients]).to.deep.equal([[STATIC_CLIENT_ID, [STATIC_REDIRECT]]]);
        // The environment names the key's secret; the key itself comes from there, or directly in local mode.
        expect(settings.stateKeySecretArn).to.equal(STATE_KEY_SECRET_ARN);
        const key = randomBytes(32);
        expect(withStateKey(settings, key.toString("base64url")).stateKey.equals(key)).to.be.true;
        expect(withStateKey(settings, key.toString("base64url"))).to.not.have.property("stateKeySecretArn");
        expect(facadeSettings(values, key)).to.deep.equal(withStateKey(settings, key.toString("base64url")));
    });

    it("refuses a short or non-base64url key, never quoting it", () => {
        const settings = readFacadeSettings(facadeEnvironment(values));
        const short = "c2hvcnQ";
        expect(() => withStateKey(settings, short)).to.throw(/state key must hold at least 32 bytes/).and.not.match(new RegExp(short));
        expect(() => withStateKey(settings, `${randomBytes(32).toString("base64")}+/=`)).to.throw(/state key must be base64url/);
        expect(() => facadeSettings(values, randomBytes(16))).to.throw(/state key must hold at least 32 bytes/);
    });

    it("refuses a key secret that is not a Secrets Manager ARN, an allow-list entry that is not an HTTPS client_id URL, a URL-shaped static client, naming the variable only", () => {
        const secret = "c2hvcnQ";
        const cases: Array<[Partial<FacadeEnvironmentValues>, RegExp]> = [
            [{ stateKeySecretArn: secret }, /FACADE_STATE_KEY_SECRET_ARN is not a Secrets Manager secret ARN/],
            [{ stateKeySecretArn: "arn:aws:ssm:us-east-1:123456789012:parameter/key" }, /FACADE_STATE_KEY_SECRET_ARN/],
            [{ clientMetadataUrls: ["http://chatgpt.com/oauth/client.json"] }, /FACADE_CLIENT_METADATA_URLS/],
            [{ clientMetadataUrls: ["https://chatgpt.com/"] }, /FACADE_CLIENT_METADATA_URLS/],
            [{ clientMetadataUrls: ["https://chatgpt.com/client.json#x"] }, /FACADE_CLIENT_METADATA_URLS/],
            [{ clientMetadataUrls: ["https://user:pw@chatgpt.com/client.json"] }, /FACADE_CLIENT_METADATA_URLS/],
            [{ clientMetadataUrls: ["https://chatgpt.com/a/../client.json"] }, /FACADE_CLIENT_METADATA_URLS/],
            [{ staticClients: { "https://evil.example/client.json": [STATIC_REDIRECT] } }, /FACADE_STATIC_CLIENTS/],
            [{ staticClients: { [STATIC_CLIENT_ID]: ["javascript:alert(1)"] } }, /FACADE_STATIC_CLIENTS/],
            [{ staticClients: { [STATIC_CLIENT_ID]: ["http://evil.example/callback"] } }, /FACADE_STATIC_CLIENTS/],
            [{ staticClients: { [STATIC_CLIENT_ID]: [`${STATIC_REDIRECT}#x`] } }, /FACADE_STATIC_CLIENTS/],
            [{ staticClients: { [STATIC_CLIENT_ID]: [`${STATIC_REDIRECT}?state=fixed`] } }, /FACADE_STATIC_CLIENTS/],
            [{ shadowClientId: " " }, /FACADE_SHADOW_CLIENT_ID is not set/],
        ];
        for (const [change, message] of cases) {
            let error: unknown;
            try {
                facadeEnvironment({ ...values, ...change });
            } catch (err) {
                error = err;
            }
            expect(String(error), JSON.stringify(change)).to.match(message);
            expect(String(error)).to.not.include(secret);
        }
        const environment = facadeEnvironment(values);
        expect(() => readFacadeSettings({ ...environment, [FACADE_ENV.issuer]: `${API_URL}/` })).to.throw(/FACADE_ISSUER must not end with a slash/);
    });

    it("answers 500 without throwing or logging a value when the function's environment is incomplete", async () => {
        const logs = capturedLogs();
        try {
            const result = await environmentHandler(getEvent(FACADE_PATHS.authorize, {}));
            expect(result.statusCode).to.equal(500);
            expect(logs.lines.join("\n")).to.include(FACADE_ENV.issuer);
        } finally {
            logs.restore();
        }
    });
});

describe("OAuth facade endpoints", () => {
    let host: DocumentHost;
    let documents: Record<string, unknown>;
    let clientA: string;
    let clientB: string;
    let settings: FacadeSettings;
    let now: number;
    let logs: ReturnType<typeof capturedLogs>;

    before(async () => {
        host = await documentHost((req, res) => serveJson((url) => documents[url] ?? { client_id: url, redirect_uris: [CLIENT_REDIRECT] })(req, res));
        clientA = `${host.origin}/a/client.json`;
        clientB = `${host.origin}/b/client.json`;
    });
    after(() => host.close());
    beforeEach(() => {
        documents = {};
        now = Date.now();
        // Test URLs join the allow-list the way local mode's switch adds them: past the HTTPS-only settings check.
        const base = settingsFor([]);
        settings = { ...base, clientMetadataUrls: [clientA, clientB] };
        logs = capturedLogs();
    });
    afterEach(() => logs.restore());

    const facade = (post = fakeCognito().post) => facadeFor(settings, { clock: () => now, post });
    /** A request to /authorize, with the consent page (a CIMD client's) answered Allow by the same browser. */
    const allowed = async (event: APIGatewayProxyEvent) => {
        const handler = facade();
        return answerConsent(handler, await handler(event));
    };

    function authorizeParams(clientId: string, challenge: string, changes: Record<string, string | undefined> = {}): Record<string, string> {
        const params: Record<string, string | undefined> = {
            response_type: "code", client_id: clientId, redirect_uri: clientId === STATIC_CLIENT_ID ? STATIC_REDIRECT : CLIENT_REDIRECT,
            scope: SCOPE, state: "client-state", code_challenge: challenge, code_challenge_method: "S256", resource: RESOURCE, ...changes,
        };
        return Object.fromEntries(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));
    }

    /** authorize → (Cognito signs the user in) → callback: the client's redirect with the wrapped code. */
    async function signedIn(clientId: string, challenge: string, cognitoCode = "cognito-code"): Promise<URL> {
        const toCognito = location(await allowed(getEvent(FACADE_PATHS.authorize, authorizeParams(clientId, challenge))));
        return location(await facade()(getEvent(FACADE_PATHS.callback, { code: cognitoCode, state: toCognito.searchParams.get("state") ?? "" })));
    }

    describe("authorize", () => {
        it("sends a CIMD client to Cognito as the shadow client, with the facade's callback, the client's challenge and a signed state", async () => {
            const { challenge } = pkcePair();
            const to = location(await allowed(getEvent(FACADE_PATHS.authorize, authorizeParams(clientA, challenge))));
            expect(`${to.origin}${to.pathname}`).to.equal(`${HOSTED_UI}/oauth2/authorize`);
            expect(Object.fromEntries(to.searchParams)).to.include({
                response_type: "code", client_id: SHADOW_CLIENT_ID, redirect_uri: `${API_URL}/oauth/callback`, scope: SCOPE,
                code_challenge: challenge, code_challenge_method: "S256", resource: RESOURCE,
            });
            expect(to.searchParams.get("state")).to.match(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
            expect(host.requests.some((r) => r.url === "/a/client.json")).to.be.true;
        });

        it("sends a pre-registered client to Cognito under its own id, through the same callback", async () => {
            const { challenge } = pkcePair();
            const to = location(await facade()(getEvent(FACADE_PATHS.authorize, authorizeParams(STATIC_CLIENT_ID, challenge))));
            expect(Object.fromEntries(to.searchParams)).to.include({ client_id: STATIC_CLIENT_ID, redirect_uri: `${API_URL}/oauth/callback` });
        });

        it("never redirects to a redirect_uri that is not exactly one of the document's (open redirect)", async () => {
            const { challenge } = pkcePair();
            const variants = [
                `${CLIENT_REDIRECT}/`, `${CLIENT_REDIRECT}?x=1`, `${CLIENT_REDIRECT}#frag`, `${CLIENT_REDIRECT}/../evil`, `${CLIENT_REDIRECT}x`,
                CLIENT_REDIRECT.toUpperCase(), CLIENT_REDIRECT.replace("https:", "http:"), CLIENT_REDIRECT.replace("chatgpt.com", "chatgpt.com:443"),
                CLIENT_REDIRECT.replace("chatgpt.com", "chatgpt.com.evil.example"), CLIENT_REDIRECT.replace("https://", "https://evil.example@"),
                CLIENT_REDIRECT.replace("connector", "%63onnector"), "https://chatgpt.com/connector_platform_oauth_redirec", "https://evil.example/callback",
                CLIENT_REDIRECT.slice(0, -1), ` ${CLIENT_REDIRECT}`, "", STATIC_REDIRECT,
            ];
            for (const redirectUri of variants) {
                expectErrorPage(await facade()(getEvent(FACADE_PATHS.authorize, authorizeParams(clientA, challenge, { redirect_uri: redirectUri }))), /redirect_uri is not one of/);
            }
            expectErrorPage(await facade()(getEvent(FACADE_PATHS.authorize, authorizeParams(clientA, challenge, { redirect_uri: undefined }))), /redirect_uri is not one of/);
            // A second redirect_uri cannot ride behind a good one (RFC 6749 §3.1).
            expectErrorPage(await facade()(getEvent(FACADE_PATHS.authorize, { ...authorizeParams(clientA, challenge), redirect_uri: [CLIENT_REDIRECT, "https://evil.example/cb"] })), /more than once/);
            // The static client's list is just as exact.
            expectErrorPage(await facade()(getEvent(FACADE_PATHS.authorize, authorizeParams(STATIC_CLIENT_ID, challenge, { redirect_uri: `${STATIC_REDIRECT}/` }))), /redirect_uri is not one of/);
        });

        it("refuses a client_id URL outside the allow-list without fetching it, and an unknown client", async () => {
            const { challenge } = pkcePair();
            const before = host.requests.length;
            for (const clientId of [`${host.origin}/c/client.json`, `${clientA}?x`, `${clientA}/`, "https://chatgpt.com/oauth/client.json"]) {
                expectErrorPage(await facade()(getEvent(FACADE_PATHS.authorize, authorizeParams(clientId, challenge))), /not one this server accepts/);
            }
            expectErrorPage(await facade()(getEvent(FACADE_PATHS.authorize, authorizeParams("someone-else", challenge))), /Unknown client_id/);
            expect(host.requests.length, "nothing fetched").to.equal(before);
        });

        it("refuses a document whose client_id is not its URL, or that cannot be fetched, with a page", async () => {
            const { challenge } = pkcePair();
            documents[clientA] = { client_id: clientB, redirect_uris: [CLIENT_REDIRECT] };
            expectErrorPage(await facade()(getEvent(FACADE_PATHS.authorize, authorizeParams(clientA, challenge))), /client_id is not its own URL/);
            // Without the test switch (the deployed function), even an allow-listed loopback URL is refused.
            const production = createFacadeHandler({ ...settings, clientMetadataUrls: ["https://127.0.0.1/client.json"] }, { clock: () => now });
            expectErrorPage(await production(getEvent(FACADE_PATHS.authorize, authorizeParams("https://127.0.0.1/client.json", challenge))), /non-public address/);
        });

        it("requires PKCE with S256: a missing or plain challenge goes back to the client as invalid_request, with state and iss", async () => {
            const { challenge } = pkcePair();
            const cases: Array<Record<string, string | undefined>> = [
                { code_challenge: undefined, code_challenge_method: undefined },
                { code_challenge_method: undefined },
                { code_challenge_method: "plain" },
                { code_challenge: "short" },
                { code_challenge: `${challenge}A` },
            ];
            for (const changes of cases) {
                for (const clientId of [clientA, STATIC_CLIENT_ID]) {
                    const back = location(await facade()(getEvent(FACADE_PATHS.authorize, authorizeParams(clientId, challenge, changes))));
                    expect(Object.fromEntries(back.searchParams), JSON.stringify(changes)).to.include({ error: "invalid_request", state: "client-state", iss: API_URL });
                    expect(back.searchParams.get("error_description")).to.match(/PKCE/);
                }
            }
        });

        it("sends other errors to the validated redirect URI: response type, scope, resource, an overlong state", async () => {
            const { challenge } = pkcePair();
            const cases: Array<[Record<string, string>, string]> = [
                [{ response_type: "token" }, "unsupported_response_type"],
                [{ scope: "openid" }, "invalid_scope"],
                [{ scope: `${SCOPE} aws.cognito.signin.user.admin` }, "invalid_scope"],
                [{ resource: "https://evil.example/mcp" }, "invalid_target"],
                [{ state: "s".repeat(1025) }, "invalid_request"],
            ];
            for (const [changes, error] of cases) {
                const back = location(await allowed(getEvent(FACADE_PATHS.authorize, authorizeParams(clientA, challenge, changes))));
                expect(`${back.origin}${back.pathname}`).to.equal(CLIENT_REDIRECT);
                expect(back.searchParams.get("error"), JSON.stringify(changes)).to.equal(error);
                expect(back.searchParams.get("iss")).to.equal(API_URL);
            }
        });
    });

    describe("callback", () => {
        it("appends the response to the registered redirect URI's own query, byte for byte (RFC 6749 §3.1.2)", async () => {
            const registered = "https://client.example/cb?x=a%20b~c&y=%7e+z";
            documents[clientA] = { client_id: clientA, redirect_uris: [registered] };
            const toCognito = location(await allowed(getEvent(FACADE_PATHS.authorize, authorizeParams(clientA, pkcePair().challenge, { redirect_uri: registered }))));
            const answer = await facade()(getEvent(FACADE_PATHS.callback, { code: "c", state: toCognito.searchParams.get("state") ?? "" }));
            const sent = String(answer.headers?.Location);
            expect(sent.startsWith(`${registered}&code=`), sent).to.be.true;
            expect(sent.slice(registered.length)).to.match(/^&code=[A-Za-z0-9_.-]+&state=client-state&iss=https%3A%2F%2F/);
            expect(withParams("https://client.example/cb", { code: "C", state: undefined })).to.equal("https://client.example/cb?code=C");
            expect(withParams("https://client.example/cb?", { code: "C" })).to.equal("https://client.example/cb?code=C");
            expect(withParams("https://client.example/cb?x=1&", { code: "C", state: "a b&c" })).to.equal("https://client.example/cb?x=1&code=C&state=a+b%26c");
        });

        it("returns the code, the client's own state and iss, exactly the metadata's issuer (RFC 9207, mix-up)", async () => {
            const back = await signedIn(clientA, pkcePair().challenge);
            expect(`${back.origin}${back.pathname}`).to.equal(CLIENT_REDIRECT);
            expect(back.searchParams.get("state")).to.equal("client-state");
            const metadata = authorizationServerMetadata(API_URL, SCOPE, "") as { issuer: string };
            expect(back.searchParams.get("iss")).to.equal(metadata.issuer);
            expect(back.searchParams.get("code")).to.not.equal("cognito-code");
            // A trailing slash on the API URL changes neither: both come from one function.
            const slashed = settingsFor([], `${API_URL}/`);
            const slashedMetadata = authorizationServerMetadata(`${API_URL}/`, SCOPE, "") as { issuer: string };
            expect(slashed.issuer).to.equal(slashedMetadata.issuer);
        });

        it("passes Cognito's error on to the client with its state and iss", async () => {
            const toCognito = location(await allowed(getEvent(FACADE_PATHS.authorize, authorizeParams(clientA, pkcePair().challenge))));
            const back = location(await facade()(getEvent(FACADE_PATHS.callback, {
                error: "access_denied", error_description: "User cancelled", state: toCognito.searchParams.get("state") ?? "",
            })));
            expect(Object.fromEntries(back.searchParams)).to.deep.equal({ error: "access_denied", error_description: "User cancelled", state: "client-state", iss: API_URL });
        });

        it("checks the state's redirect URI again against the client's list or document: even a validly signed one cannot redirect elsewhere", async () => {
            const challenge = pkcePair().challenge;
            const signed = (clientId: string, redirectUri: string) => sealState(settings.stateKey, { clientId, redirectUri, state: "s", codeChallenge: challenge }, now);
            const cases: Array<[string, string, RegExp]> = [
                [clientA, "https://evil.example/cb", /not one of the client&#39;s registered redirect URIs/],
                [STATIC_CLIENT_ID, "https://evil.example/cb", /not one of the client&#39;s registered redirect URIs/],
                [STATIC_CLIENT_ID, CLIENT_REDIRECT, /not one of the client&#39;s registered redirect URIs/],
                ["https://gone.example/client.json", CLIENT_REDIRECT, /no longer accepted/],
                ["someone-else", CLIENT_REDIRECT, /no longer accepted/],
            ];
            for (const [clientId, redirectUri, message] of cases) {
                for (const params of [{ code: "c" }, { error: "access_denied" }] as Array<Record<string, string>>) {
                    expectErrorPage(await facade()(getEvent(FACADE_PATHS.callback, { ...params, state: signed(clientId, redirectUri) })), message);
                }
            }
            // The document cannot be had (or no longer lists the URI): a page, never a redirect.
            documents[clientA] = { client_id: clientB, redirect_uris: [CLIENT_REDIRECT] };
            expectErrorPage(await facade()(getEvent(FACADE_PATHS.callback, { code: "c", state: signed(clientA, CLIENT_REDIRECT) })), /client_id is not its own URL/);
            documents[clientA] = { client_id: clientA, redirect_uris: ["https://client.example/new-callback"] };
            expectErrorPage(await facade()(getEvent(FACADE_PATHS.callback, { code: "c", state: signed(clientA, CLIENT_REDIRECT) })), /not one of the client&#39;s registered redirect URIs/);
            documents = {};
            expect(location(await facade()(getEvent(FACADE_PATHS.callback, { code: "c", state: signed(clientA, CLIENT_REDIRECT) }))).origin).to.equal("https://chatgpt.com");
        });

        it("passes on only an error and description within RFC 6749's character set (%x20-21 / %x23-5B / %x5D-7E)", async () => {
            const toCognito = location(await allowed(getEvent(FACADE_PATHS.authorize, authorizeParams(clientA, pkcePair().challenge))));
            const state = toCognito.searchParams.get("state") ?? "";
            const cases: Array<[Record<string, string>, Record<string, string | undefined>]> = [
                [{ error: "access_denied", error_description: "User cancelled [it]" }, { error: "access_denied", error_description: "User cancelled [it]" }],
                [{ error: 'access_denied"><script>' }, { error: "server_error" }],
                [{ error: "d\u00e9ni\u00e9" }, { error: "server_error" }],
                [{ error: "back\\slash" }, { error: "server_error" }],
                [{ error: "" }, { error: "server_error" }],
                [{ error: "access_denied", error_description: "line\nbreak" }, { error: "access_denied", error_description: undefined }],
                [{ error: "access_denied", error_description: 'say "no"' }, { error: "access_denied", error_description: undefined }],
            ];
            for (const [params, expected] of cases) {
                const back = location(await facade()(getEvent(FACADE_PATHS.callback, { ...params, state })));
                expect(back.searchParams.get("error"), JSON.stringify(params)).to.equal(expected.error);
                expect(back.searchParams.get("error_description") ?? undefined, JSON.stringify(params)).to.equal(expected.error_description);
                expect(back.searchParams.get("iss")).to.equal(API_URL);
            }
        });

        it("shows a page, never a redirect, without a pending request: no state, garbage, another kind of token", async () => {
            const wrongKind = sealCode(settings.stateKey, { clientId: clientA, redirectUri: CLIENT_REDIRECT, cognitoCode: "c", codeChallenge: pkcePair().challenge }, now);
            for (const state of [undefined, "", "abc", "a.b", wrongKind]) {
                expectErrorPage(await facade()(getEvent(FACADE_PATHS.callback, { code: "c", ...(state === undefined ? {} : { state }) })), /no sign-in in progress/);
            }
        });

        it("refuses a tampered state: payload changed (to another redirect URI), signature changed, or signed with another key", async () => {
            const pending = { clientId: clientA, redirectUri: CLIENT_REDIRECT, state: "s", codeChallenge: pkcePair().challenge };
            const state = sealState(settings.stateKey, pending, now);
            const [body, mac] = state.split(".");
            const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, "base64url").toString()), r: "https://evil.example/cb" })).toString("base64url");
            const flipped = `${mac.slice(0, -2)}${mac.at(-2) === "A" ? "B" : "A"}${mac.at(-1)}`;
            for (const tampered of [`${forged}.${mac}`, `${body}.${flipped}`, sealState(randomBytes(32), pending, now)]) {
                expectErrorPage(await facade()(getEvent(FACADE_PATHS.callback, { code: "c", state: tampered })), /no sign-in in progress/);
            }
        });

        it("refuses a state older than 10 minutes", async () => {
            const toCognito = location(await allowed(getEvent(FACADE_PATHS.authorize, authorizeParams(clientA, pkcePair().challenge))));
            now += TEN_MINUTES + 1000;
            expectErrorPage(await facade()(getEvent(FACADE_PATHS.callback, { code: "c", state: toCognito.searchParams.get("state") ?? "" })), /longer than 10 minutes/);
        });

        it("answers a replayed callback the same way, and the replayed code cannot be redeemed twice: Cognito's code is single-use", async () => {
            const used = new Set<string>();
            const cognito = fakeCognito(({ form }) => {
                const fresh = !used.has(form.code);
                used.add(form.code);
                return fresh ? { status: 200, body: { access_token: "a", token_type: "Bearer", expires_in: 3600 } } : { status: 400, body: { error: "invalid_grant" } };
            });
            const { verifier, challenge } = pkcePair();
            const toCognito = location(await allowed(getEvent(FACADE_PATHS.authorize, authorizeParams(clientA, challenge))));
            const callbackEvent = getEvent(FACADE_PATHS.callback, { code: "cognito-code", state: toCognito.searchParams.get("state") ?? "" });
            const first = location(await facade()(callbackEvent));
            const replay = location(await facade()(callbackEvent));
            const redeem = (back: URL) => facade(cognito.post)(postEvent(FACADE_PATHS.token, {
                grant_type: "authorization_code", code: back.searchParams.get("code") ?? "", redirect_uri: CLIENT_REDIRECT, code_verifier: verifier, client_id: clientA,
            }));
            expect((await redeem(first)).statusCode).to.equal(200);
            const again = await redeem(replay);
            expect(again.statusCode).to.equal(400);
            expect(JSON.parse(again.body)).to.include({ error: "invalid_grant" });
        });
    });

    describe("token and revoke", () => {
        it("exchanges a CIMD client's code as the shadow client with the facade's callback, and wraps the refresh token", async () => {
            const cognito = fakeCognito();
            const { verifier, challenge } = pkcePair();
            const back = await signedIn(clientA, challenge, "inner-code");
            const result = await facade(cognito.post)(postEvent(FACADE_PATHS.token, {
                grant_type: "authorization_code", code: back.searchParams.get("code") ?? "", redirect_uri: CLIENT_REDIRECT, code_verifier: verifier, client_id: clientA, resource: RESOURCE,
            }));
            expect(result.statusCode).to.equal(200);
            expect(result.headers?.["Cache-Control"]).to.equal("no-store");
            expect(cognito.forwarded).to.have.lengthOf(1);
            expect(cognito.forwarded[0].url).to.equal(`${HOSTED_UI}/oauth2/token`);
            expect(cognito.forwarded[0].form).to.deep.equal({
                grant_type: "authorization_code", code: "inner-code", redirect_uri: `${API_URL}/oauth/callback`, code_verifier: verifier, client_id: SHADOW_CLIENT_ID,
            });
            expect(cognito.forwarded[0].headers).to.not.have.property("Authorization");
            const tokens = JSON.parse(result.body) as { access_token: string; refresh_token: string };
            expect(tokens.access_token).to.equal("cognito-access");
            expect(tokens.refresh_token).to.not.equal("cognito-refresh");

            // Refresh: unwrapped for Cognito, as the shadow client; another client's attempt never reaches Cognito.
            const refresh = (clientId: string) => facade(cognito.post)(postEvent(FACADE_PATHS.token, { grant_type: "refresh_token", refresh_token: tokens.refresh_token, client_id: clientId }));
            expect((await refresh(clientA)).statusCode).to.equal(200);
            expect(cognito.forwarded[1].form).to.deep.equal({ grant_type: "refresh_token", refresh_token: "cognito-refresh", client_id: SHADOW_CLIENT_ID });
            const stolen = await refresh(clientB);
            expect(stolen.statusCode).to.equal(400);
            expect(JSON.parse(stolen.body)).to.include({ error: "invalid_grant" });
            expect(cognito.forwarded).to.have.lengthOf(2);

            // Revoke: the client's own token is revoked at Cognito; another's is answered 200 and left alone (RFC 7009 §2.2).
            expect((await facade(cognito.post)(postEvent(FACADE_PATHS.revoke, { token: tokens.refresh_token, client_id: clientB }))).statusCode).to.equal(200);
            expect(cognito.forwarded).to.have.lengthOf(2);
            expect((await facade(cognito.post)(postEvent(FACADE_PATHS.revoke, { token: tokens.refresh_token, client_id: clientA }))).statusCode).to.equal(200);
            expect(cognito.forwarded[2]).to.deep.include({ url: `${HOSTED_UI}/oauth2/revoke`, form: { token: "cognito-refresh", client_id: SHADOW_CLIENT_ID } });
        });

        it("refuses a code obtained for one client when another redeems it, before Cognito sees it", async () => {
            const cognito = fakeCognito();
            const { verifier, challenge } = pkcePair();
            const back = await signedIn(clientA, challenge);
            for (const [clientId, headers] of [[clientB, {}], [STATIC_CLIENT_ID, { Authorization: `Basic ${Buffer.from(`${STATIC_CLIENT_ID}:secret`).toString("base64")}` }]] as const) {
                const result = await facade(cognito.post)(postEvent(FACADE_PATHS.token, {
                    grant_type: "authorization_code", code: back.searchParams.get("code") ?? "", redirect_uri: CLIENT_REDIRECT, code_verifier: verifier,
                    ...(clientId === clientB ? { client_id: clientId } : {}),
                }, headers));
                expect(result.statusCode, clientId).to.equal(400);
                expect(JSON.parse(result.body)).to.deep.equal({ error: "invalid_grant", error_description: "The code was issued to another client." });
            }
            expect(cognito.forwarded).to.have.lengthOf(0);
        });

        it("refuses a wrong or missing verifier, another redirect_uri, a tampered or expired code, a secret from a CIMD client", async () => {
            const cognito = fakeCognito();
            const { verifier, challenge } = pkcePair();
            const back = await signedIn(clientA, challenge);
            const code = back.searchParams.get("code") ?? "";
            const exchange = (fields: Record<string, string | undefined>, headers: Record<string, string> = {}) => facade(cognito.post)(postEvent(FACADE_PATHS.token, Object.fromEntries(Object.entries({
                grant_type: "authorization_code", code, redirect_uri: CLIENT_REDIRECT, code_verifier: verifier, client_id: clientA, ...fields,
            }).filter((e): e is [string, string] => e[1] !== undefined)), headers));
            const expectError = async (result: Promise<APIGatewayProxyResult>, status: number, error: string) => {
                const answer = await result;
                expect(answer.statusCode).to.equal(status);
                expect(JSON.parse(answer.body)).to.include({ error });
            };
            await expectError(exchange({ code_verifier: pkcePair().verifier }), 400, "invalid_grant");
            await expectError(exchange({ code_verifier: undefined }), 400, "invalid_grant");
            await expectError(exchange({ redirect_uri: `${CLIENT_REDIRECT}/` }), 400, "invalid_grant");
            await expectError(exchange({ code: `${code.slice(0, -3)}AAA` }), 400, "invalid_grant");
            await expectError(exchange({ code: "cognito-code" }), 400, "invalid_grant");
            await expectError(exchange({ client_secret: "guess" }), 401, "invalid_client");
            await expectError(exchange({}, { Authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientA)}:x`).toString("base64")}` }), 401, "invalid_client");
            await expectError(exchange({ client_id: "https://evil.example/client.json" }), 401, "invalid_client");
            await expectError(exchange({ grant_type: "password" }), 400, "unsupported_grant_type");
            expect(cognito.forwarded, "nothing reached Cognito").to.have.lengthOf(0);
            now += TEN_MINUTES + 1000;
            await expectError(exchange({}), 400, "invalid_grant");
            expect(cognito.forwarded).to.have.lengthOf(0);
        });

        it("forwards a pre-registered client's own credentials and refresh token as they are", async () => {
            const cognito = fakeCognito();
            const { verifier, challenge } = pkcePair();
            const back = await signedIn(STATIC_CLIENT_ID, challenge, "static-code");
            const authorization = `Basic ${Buffer.from(`${STATIC_CLIENT_ID}:its-secret`).toString("base64")}`;
            const result = await facade(cognito.post)(postEvent(FACADE_PATHS.token, {
                grant_type: "authorization_code", code: back.searchParams.get("code") ?? "", redirect_uri: STATIC_REDIRECT, code_verifier: verifier,
            }, { Authorization: authorization }));
            expect(result.statusCode).to.equal(200);
            expect(JSON.parse(result.body)).to.include({ refresh_token: "cognito-refresh" });
            expect(cognito.forwarded[0].headers).to.include({ Authorization: authorization });
            expect(cognito.forwarded[0].form).to.deep.equal({ grant_type: "authorization_code", code: "static-code", redirect_uri: `${API_URL}/oauth/callback`, code_verifier: verifier });
            await facade(cognito.post)(postEvent(FACADE_PATHS.token, { grant_type: "refresh_token", refresh_token: "cognito-refresh" }, { Authorization: authorization }));
            expect(cognito.forwarded[1].form).to.deep.equal({ grant_type: "refresh_token", refresh_token: "cognito-refresh" });
        });

        it("never forwards scope or resource (Cognito's token endpoint takes none), and refuses another resource with invalid_target (RFC 8707 §2)", async () => {
            const cognito = fakeCognito();
            const { verifier, challenge } = pkcePair();
            const back = await signedIn(clientA, challenge);
            const code = back.searchParams.get("code") ?? "";
            const exchange = (fields: Record<string, string>) => facade(cognito.post)(postEvent(FACADE_PATHS.token, {
                grant_type: "authorization_code", code, redirect_uri: CLIENT_REDIRECT, code_verifier: verifier, client_id: clientA, ...fields,
            }));
            const refused = await exchange({ resource: "https://other.example/api" });
            expect(refused.statusCode).to.equal(400);
            expect(JSON.parse(refused.body)).to.include({ error: "invalid_target" });
            expect(cognito.forwarded, "nothing reached Cognito").to.have.lengthOf(0);
            expect((await exchange({ scope: "aws.cognito.signin.user.admin openid" })).statusCode).to.equal(200);
            expect(cognito.forwarded[0].form).to.not.have.property("scope");
            expect(cognito.forwarded[0].form).to.not.have.property("resource");
            const refreshToken = (JSON.parse((await exchange({ resource: RESOURCE, scope: SCOPE })).body) as { refresh_token: string }).refresh_token;
            expect(cognito.forwarded[1].form).to.not.have.property("resource");
            expect(cognito.forwarded[1].form).to.not.have.property("scope");

            const basic = { Authorization: `Basic ${Buffer.from(`${STATIC_CLIENT_ID}:s`).toString("base64")}` };
            for (const [form, headers] of [[{ client_id: clientA, refresh_token: refreshToken }, {}], [{ refresh_token: "cognito-refresh" }, basic]] as const) {
                const before = cognito.forwarded.length;
                const other = await facade(cognito.post)(postEvent(FACADE_PATHS.token, { grant_type: "refresh_token", ...form, resource: "https://other.example/api" }, headers));
                expect(JSON.parse(other.body)).to.include({ error: "invalid_target" });
                expect(cognito.forwarded).to.have.lengthOf(before);
                expect((await facade(cognito.post)(postEvent(FACADE_PATHS.token, { grant_type: "refresh_token", ...form, scope: "aws.cognito.signin.user.admin" }, headers))).statusCode).to.equal(200);
                expect(cognito.forwarded.at(-1)?.form).to.not.have.property("scope");
                expect((await facade(cognito.post)(postEvent(FACADE_PATHS.token, { grant_type: "refresh_token", ...form, resource: RESOURCE }, headers))).statusCode).to.equal(200);
                expect(cognito.forwarded.at(-1)?.form).to.not.have.property("resource");
            }
        });

        it("after a state key rotation, refuses every CIMD client's refresh token (the client signs in again), not a static client's (README)", async () => {
            const cognito = fakeCognito();
            const { verifier, challenge } = pkcePair();
            const back = await signedIn(clientA, challenge);
            const tokens = await facade(cognito.post)(postEvent(FACADE_PATHS.token, {
                grant_type: "authorization_code", code: back.searchParams.get("code") ?? "", redirect_uri: CLIENT_REDIRECT, code_verifier: verifier, client_id: clientA,
            }));
            const refreshToken = (JSON.parse(tokens.body) as { refresh_token: string }).refresh_token;
            settings = { ...settings, stateKey: randomBytes(32) };
            const refused = await facade(cognito.post)(postEvent(FACADE_PATHS.token, { grant_type: "refresh_token", refresh_token: refreshToken, client_id: clientA }));
            expect(JSON.parse(refused.body)).to.include({ error: "invalid_grant" });
            expect(cognito.forwarded).to.have.lengthOf(1);
            const basic = { Authorization: `Basic ${Buffer.from(`${STATIC_CLIENT_ID}:s`).toString("base64")}` };
            expect((await facade(cognito.post)(postEvent(FACADE_PATHS.token, { grant_type: "refresh_token", refresh_token: "cognito-refresh" }, basic))).statusCode).to.equal(200);
        });

        it("answers 502 server_error for anything from Cognito but a 2xx or 4xx: a redirect is never relayed", async () => {
            for (const status of [301, 302, 303, 500, 503]) {
                const cognito = fakeCognito(() => ({ status, body: { error: "whatever" } }));
                const basic = { Authorization: `Basic ${Buffer.from(`${STATIC_CLIENT_ID}:s`).toString("base64")}` };
                for (const path of [FACADE_PATHS.token, FACADE_PATHS.revoke]) {
                    const answer = await facade(cognito.post)(postEvent(path, { grant_type: "refresh_token", refresh_token: "r", token: "r" }, basic));
                    expect(answer.statusCode, `${path} ${status}`).to.equal(502);
                    expect(JSON.parse(answer.body)).to.include({ error: "server_error" });
                }
            }
        });

        it("answers 502 server_error, not 500, when the call to Cognito times out or fails on the network", async () => {
            const failures = [
                () => new DOMException("The operation was aborted due to timeout", "TimeoutError"),
                () => new TypeError("fetch failed"),
            ];
            for (const failure of failures) {
                const post = () => Promise.reject(failure());
                const basic = { Authorization: `Basic ${Buffer.from(`${STATIC_CLIENT_ID}:s`).toString("base64")}` };
                for (const path of [FACADE_PATHS.token, FACADE_PATHS.revoke]) {
                    const answer = await facade(post)(postEvent(path, { grant_type: "refresh_token", refresh_token: "r", token: "r" }, basic));
                    expect(answer.statusCode, `${path} ${failure().name}`).to.equal(502);
                    expect(JSON.parse(answer.body)).to.include({ error: "server_error" });
                }
            }
            expect(logs.lines.join("\n"), "not an unhandled error").to.not.match(/unhandled error/);
        });

        it("reads a base64-encoded form, and refuses one that is not base64 of UTF-8 or is oversized, before Cognito sees it", async () => {
            const cognito = fakeCognito();
            const basic = { Authorization: `Basic ${Buffer.from(`${STATIC_CLIENT_ID}:s`).toString("base64")}` };
            const form = new URLSearchParams({ grant_type: "refresh_token", refresh_token: "r" }).toString();
            const send = (body: string, isBase64Encoded: boolean) => facade(cognito.post)({ ...postEvent(FACADE_PATHS.token, {}, basic), body, isBase64Encoded });
            expect((await send(Buffer.from(form).toString("base64"), true)).statusCode).to.equal(200);
            expect(cognito.forwarded[0].form).to.deep.equal({ grant_type: "refresh_token", refresh_token: "r" });
            for (const [body, isBase64Encoded] of [
                [`${Buffer.from(form).toString("base64")}!`, true],
                [Buffer.from(form).toString("base64url").replace(/=+$/, ""), true],
                [Buffer.from([0xff, 0xfe, 0x3d]).toString("base64"), true],
                [`${form}&pad=${"x".repeat(100_000)}`, false],
            ] as const) {
                const answer = await send(body, isBase64Encoded);
                expect(answer.statusCode, body.slice(0, 40)).to.equal(400);
                expect(JSON.parse(answer.body)).to.include({ error: "invalid_request" });
            }
            expect(cognito.forwarded).to.have.lengthOf(1);
        });

        it("passes Cognito's errors on, and refuses a form that is not one or repeats a field", async () => {
            const cognito = fakeCognito(() => ({ status: 400, body: { error: "invalid_grant", error_description: "Refresh Token has expired" } }));
            const answer = await facade(cognito.post)(postEvent(FACADE_PATHS.token, { grant_type: "refresh_token", refresh_token: "x" }, {
                Authorization: `Basic ${Buffer.from(`${STATIC_CLIENT_ID}:s`).toString("base64")}`,
            }));
            expect(answer.statusCode).to.equal(400);
            expect(JSON.parse(answer.body)).to.deep.equal({ error: "invalid_grant", error_description: "Refresh Token has expired" });
            const json = await facade(cognito.post)({ ...postEvent(FACADE_PATHS.token, {}), headers: { "Content-Type": "application/json" }, body: "{}" });
            expect(JSON.parse(json.body)).to.include({ error: "invalid_request" });
            const repeated = await facade(cognito.post)({ ...postEvent(FACADE_PATHS.token, {}), body: `grant_type=refresh_token&client_id=${encodeURIComponent(clientA)}&client_id=${STATIC_CLIENT_ID}` });
            expect(JSON.parse(repeated.body)).to.include({ error: "invalid_request" });
        });
    });

    it("sends Referrer-Policy: no-referrer and X-Content-Type-Options: nosniff on every answer", async () => {
        const { verifier, challenge } = pkcePair();
        const back = await signedIn(clientA, challenge);
        const cognitoError = fakeCognito(() => ({ status: 400, body: { error: "invalid_grant" } }));
        const basic = { Authorization: `Basic ${Buffer.from(`${STATIC_CLIENT_ID}:s`).toString("base64")}` };
        const answers: Array<[string, APIGatewayProxyResult]> = [
            ["consent page", await facade()(getEvent(FACADE_PATHS.authorize, authorizeParams(clientA, challenge)))],
            ["authorize error redirect", await facade()(getEvent(FACADE_PATHS.authorize, authorizeParams(clientA, challenge, { response_type: "token" })))],
            ["error page", await facade()(getEvent(FACADE_PATHS.authorize, authorizeParams(clientA, challenge, { redirect_uri: "https://evil.example/" })))],
            ["callback error page", await facade()(getEvent(FACADE_PATHS.callback, {}))],
            ["token", await facade()(postEvent(FACADE_PATHS.token, { grant_type: "authorization_code", code: back.searchParams.get("code") ?? "", redirect_uri: CLIENT_REDIRECT, code_verifier: verifier, client_id: clientA }))],
            ["token error", await facade()(postEvent(FACADE_PATHS.token, { grant_type: "password", client_id: clientA }))],
            ["relayed Cognito error", await facade(cognitoError.post)(postEvent(FACADE_PATHS.token, { grant_type: "refresh_token", refresh_token: "r" }, basic))],
            ["revoke of an unknown token", await facade()(postEvent(FACADE_PATHS.revoke, { token: "not-ours", client_id: clientA }))],
            ["relayed revoke", await facade()(postEvent(FACADE_PATHS.revoke, { token: "r" }, basic))],
            ["404", await facade()(getEvent("/oauth/other", {}))],
            ["405", await facade()(postEvent(FACADE_PATHS.authorize, {}))],
            ["500", await environmentHandler(getEvent(FACADE_PATHS.authorize, {}))],
        ];
        for (const [name, answer] of answers) {
            expect(answer.headers, name).to.include({ "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff" });
        }
    });

    it("answers other paths 404 and other methods 405, and logs no parameter, code or token", async () => {
        expect((await facade()(getEvent("/oauth/other", {}))).statusCode).to.equal(404);
        expect((await facade()(getEvent("constructor", {}))).statusCode).to.equal(404);
        const wrong = await facade()(postEvent(FACADE_PATHS.authorize, {}));
        expect(wrong.statusCode).to.equal(405);
        expect(wrong.headers?.Allow).to.equal("GET");
        const { verifier, challenge } = pkcePair();
        const back = await signedIn(clientA, challenge, "secret-cognito-code");
        await facade()(postEvent(FACADE_PATHS.token, { grant_type: "authorization_code", code: back.searchParams.get("code") ?? "", redirect_uri: CLIENT_REDIRECT, code_verifier: verifier, client_id: clientA }));
        const text = logs.lines.join("\n");
        expect(logs.lines.length).to.be.greaterThan(3);
        for (const secret of ["secret-cognito-code", "cognito-access", "cognito-refresh", verifier, challenge, "client-state", back.searchParams.get("code") ?? ""]) {
            expect(text).to.not.include(secret);
        }
        expect(facadeUrls(API_URL).callback).to.equal(settings.callbackUrl);
    });
});

describe("OAuth facade: signed tokens (signed.ts)", () => {
    const key = randomBytes(32);
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    it("accepts one spelling of a signature only: the spare bits of its last base64url character must be zero", () => {
        const now = Date.now();
        const token = seal(key, "state", { c: "x" }, now + 60_000);
        const [body, signature] = token.split(".");
        const last = alphabet.indexOf(signature.at(-1) ?? "");
        // 32 bytes are 43 characters: the last carries 4 bits of the MAC and 2 spare ones.
        const spellings = [0, 1, 2, 3].map((spare) => `${body}.${signature.slice(0, -1)}${alphabet[(last & ~3) | spare]}`);
        expect(spellings.filter((spelling) => open(key, "state", spelling, now).ok)).to.deep.equal([token]);
        expect(open(key, "state", `${token}A`, now)).to.deep.equal({ ok: false, reason: "signature" });
    });

    it("requires exp on a state and a code, not on a refresh token (which Cognito expires)", () => {
        const now = Date.now();
        for (const kind of ["state", "code"] as const) {
            expect(open(key, kind, seal(key, kind, { c: "x" }), now).ok, kind).to.be.false;
            expect(open(key, kind, seal(key, kind, { c: "x", exp: "never" }), now).ok, kind).to.be.false;
            expect(open(key, kind, seal(key, kind, { c: "x" }, now + 1000), now).ok, kind).to.be.true;
            expect(open(key, kind, seal(key, kind, { c: "x" }, now - 1000), now)).to.deep.equal({ ok: false, reason: "expired" });
        }
        expect(open(key, "refresh", seal(key, "refresh", { c: "x" }), now).ok).to.be.true;
    });
});
