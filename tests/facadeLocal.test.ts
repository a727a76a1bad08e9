/**
 * The OAuth facade end to end in local mode: a CIMD client whose metadata document this test serves on 127.0.0.1
 * (allowed only by startLocal's tests-only switch) connects with the official MCP SDK client from the bare MCP URL,
 * signs in through the facade and the Cognito-shaped server, receives `iss`, calls every tool and refreshes; the
 * SDK's own CIMD support picks the URL client id from the metadata; and the facade's defences hold over real HTTP.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { auth, UnauthorizedError, type OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { OAuthClientInformationMixed } from "@modelcontextprotocol/sdk/shared/auth.js";
import type { FetchLike } from "@modelcontextprotocol/sdk/shared/transport.js";
import { expect } from "chai";
import { decodeJwt } from "jose";
import { facadeUrls } from "../handler/facade/paths";
import { DEFAULT_CLIENT_METADATA_URLS } from "../handler/facade/settings";
import { routeList } from "../handler/routes";
import { MCP_METADATA_PATHS, mcpScope, protectedResourceMetadataUrl } from "../infra/mcpMetadata";
import { startLocal } from "../local/server";
import { CLIENT_REDIRECT, documentHost, pkcePair, serveJson, type DocumentHost } from "./facadeFixtures";
import { LOCAL_STACK_FILE, clearHandlerEnv, localModeForSuite } from "./localMode";
import { StaticClientProvider } from "./mcpOAuthProvider";
import { hiddenFields, passConsent, signIn } from "./signIn";
import { exampleArguments, expectToolResult, operationOutcome } from "./toolExamples";

const HOUR_MS = 3600 * 1000;

/**
 * A public client's document (`none`) with ChatGPT's stable RFC 9207 callback: ChatGPT's own document prefers
 * private_key_jwt and also lists none (tests/facadeFixtures.ts chatGptDocument; tests/clientAuthLocal.test.ts).
 */
const clientDocument = (url: string) => ({
    client_id: url,
    client_name: "CIMD test client",
    redirect_uris: [CLIENT_REDIRECT],
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    token_endpoint_auth_method: "none",
});

describe("OAuth facade in local mode: a CIMD client with the official MCP SDK", function () {
    this.timeout(30_000);
    let host: DocumentHost;
    let clientA: string;
    let clientB: string;
    let now = Date.now();

    before(async () => {
        host = await documentHost(serveJson(clientDocument));
        clientA = `${host.origin}/a/client.json`;
        clientB = `${host.origin}/b/client.json`;
    });
    after(() => host.close());
    const local = localModeForSuite(() => ({ clock: () => now, testClientMetadataUrls: [clientA, clientB] }));
    afterEach(() => {
        now = Date.now();
    });

    const mcpUrl = () => local().outputs.mcpServerUrl ?? "";
    const facade = () => facadeUrls(local().outputs.apiUrl);
    const user = () => local().outputs.testUser;

    it("connects from the MCP URL alone, gets iss equal to the metadata's issuer, calls every tool and refreshes", async () => {
        const seen: Array<{ method: string; url: string; status: number; grantType?: string | null }> = [];
        const recording: FetchLike = async (url, init) => {
            const res = await fetch(url, init);
            const form = init?.body instanceof URLSearchParams ? init.body : undefined;
            seen.push({ method: init?.method ?? "GET", url: String(url), status: res.status, grantType: form?.get("grant_type") });
            return res;
        };
        const provider = new StaticClientProvider({ client_id: clientA }, CLIENT_REDIRECT, (url) => signIn(url, user()));
        const first = new StreamableHTTPClientTransport(new URL(mcpUrl()), { authProvider: provider, fetch: recording });
        let refused: unknown;
        try {
            await new Client({ name: "cimd-tests", version: "1.0.0" }).connect(first);
        } catch (error) {
            refused = error;
        }
        expect(refused).to.be.instanceOf(UnauthorizedError);

        // The SDK went to the facade, as the client_id URL, with PKCE and the resource.
        const authorize = provider.authorizationUrls[0];
        expect(`${authorize.origin}${authorize.pathname}`).to.equal(facade().authorize);
        expect(Object.fromEntries(authorize.searchParams)).to.include({
            client_id: clientA, redirect_uri: CLIENT_REDIRECT, code_challenge_method: "S256", resource: mcpUrl(), scope: mcpScope(local().outputs.apiUrl),
        });
        // RFC 9207: the response names the issuer, exactly as the metadata the SDK read does.
        const metadata = await (await fetch(`${local().outputs.apiUrl}${MCP_METADATA_PATHS.authorizationServer[1]}`)).json() as Record<string, unknown>;
        expect(metadata).to.include({ authorization_response_iss_parameter_supported: true, client_id_metadata_document_supported: true });
        expect(provider.issuers).to.deep.equal([metadata.issuer]);

        await first.finishAuth(provider.code ?? "");
        expect(seen.at(-1)).to.deep.include({ method: "POST", url: facade().token, status: 200, grantType: "authorization_code" });
        const tokens = provider.tokens();
        const access = decodeJwt(tokens?.access_token ?? "");
        // Cognito issued it to the shadow client, bound to the MCP resource.
        expect(access).to.include({ client_id: local().facade?.shadowClientId, aud: mcpUrl(), scope: mcpScope(local().outputs.apiUrl), token_use: "access" });
        expect(tokens?.refresh_token, "the refresh token comes back wrapped for this client").to.match(/^[A-Za-z0-9_-]{100,}$/);

        const client = new Client({ name: "cimd-tests", version: "1.0.0" });
        await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl()), { authProvider: provider, fetch: recording }));
        const { tools } = await client.listTools();
        const routes = routeList();
        expect(tools.map((t) => t.name)).to.have.members(routes.map((r) => r.operationId));
        const callEvery = async () => {
            for (const route of routes) {
                const args = exampleArguments(route);
                const result = await client.callTool({ name: route.operationId, arguments: args });
                const caller = { sub: String(access.sub), username: String(access.username), scopes: [String(access.scope)] };
                if (expectToolResult(route, result, await operationOutcome(route, args, caller))) {
                    expect(result.content, route.operationId).to.not.be.empty;
                }
            }
        };
        await callEvery();

        // An hour later: the SDK refreshes through the facade with the wrapped refresh token, and carries on.
        now += HOUR_MS + 1000;
        await callEvery();
        expect(seen.some((s) => s.url === facade().token && s.grantType === "refresh_token" && s.status === 200), "refreshed through the facade").to.be.true;
        await client.close();
        // Fetched for the sign-in, cached for the code exchange (which reads the client's method), fetched again for the
        // refresh an hour later, when the 5-minute cache has expired.
        expect(host.requests.filter((r) => r.url === "/a/client.json"), "the document was fetched, cached, then fetched again").to.have.lengthOf(2);
    });

    /** The facade's callback URL Cognito sends the browser to after the login (the step signIn follows on its own). */
    async function facadeCallbackFor(clientId: string, challenge: string): Promise<URL> {
        const authorize = new URL(facade().authorize);
        authorize.search = new URLSearchParams({
            response_type: "code", client_id: clientId, redirect_uri: CLIENT_REDIRECT, scope: mcpScope(local().outputs.apiUrl), state: "st",
            code_challenge: challenge, code_challenge_method: "S256", resource: mcpUrl(),
        }).toString();
        let next = new URL(authorize);
        for (let hop = 0; next.pathname !== "/login" && hop < 3; hop++) {
            const res = await passConsent(await fetch(next, { redirect: "manual" }));
            expect(res.status, next.pathname).to.be.oneOf([302, 303]);
            next = new URL(res.headers.get("location") ?? "", next);
        }
        const page = await fetch(next);
        const login = await fetch(new URL("/login", next), { method: "POST", body: new URLSearchParams({ ...hiddenFields(await page.text()), ...user() }), redirect: "manual" });
        const callback = new URL(login.headers.get("location") ?? "");
        expect(`${callback.origin}${callback.pathname}`).to.equal(local().facade?.callbackUrl);
        return callback;
    }

    const redeem = (back: URL, clientId: string, verifier: string) => fetch(facade().token, {
        method: "POST",
        body: new URLSearchParams({ grant_type: "authorization_code", code: back.searchParams.get("code") ?? "", redirect_uri: CLIENT_REDIRECT, code_verifier: verifier, client_id: clientId }),
    });

    it("refuses a code of one CIMD client to another, and a replayed callback's code once the first is redeemed", async () => {
        const { verifier, challenge } = pkcePair();
        const callback = await facadeCallbackFor(clientA, challenge);
        const firstAnswer = await fetch(callback, { redirect: "manual" });
        const replayAnswer = await fetch(callback, { redirect: "manual" });
        const first = new URL(firstAnswer.headers.get("location") ?? "");
        const replay = new URL(replayAnswer.headers.get("location") ?? "");
        expect(first.searchParams.get("iss")).to.equal(local().outputs.apiUrl);
        expect(first.searchParams.get("state")).to.equal("st");

        const stolen = await redeem(first, clientB, verifier);
        expect(stolen.status).to.equal(400);
        expect(await stolen.json()).to.include({ error: "invalid_grant" });
        expect((await redeem(first, clientA, verifier)).status).to.equal(200);
        const again = await redeem(replay, clientA, verifier);
        expect(again.status).to.equal(400);
        expect(await again.json()).to.include({ error: "invalid_grant" });
    });

    it("shows a page for a redirect URI outside the document and for a loopback document URL the switch does not name", async () => {
        const { challenge } = pkcePair();
        const request = (clientId: string, redirectUri: string) => {
            const url = new URL(facade().authorize);
            url.search = new URLSearchParams({ response_type: "code", client_id: clientId, redirect_uri: redirectUri, code_challenge: challenge, code_challenge_method: "S256" }).toString();
            return fetch(url, { redirect: "manual" });
        };
        const outside = await request(clientA, "https://evil.example/callback");
        expect(outside.status).to.equal(400);
        expect(outside.headers.get("location")).to.equal(null);
        const unnamed = await request(`${host.origin}/c/client.json`, CLIENT_REDIRECT);
        expect(unnamed.status).to.equal(400);
        expect(await unnamed.text()).to.include("not one this server accepts");
        expect(host.requests.some((r) => r.url === "/c/client.json")).to.be.false;
    });

    it("lets the facade's paths answer only their own method, with no token needed", async () => {
        expect((await fetch(facade().token, { method: "GET" })).status).to.equal(403);
        expect((await fetch(facade().authorize, { method: "POST" })).status).to.equal(403);
        const noState = await fetch(facade().callback, { redirect: "manual" });
        expect(noState.status).to.equal(400);
        expect(noState.headers.get("location")).to.equal(null);
    });

    it("is picked by the SDK's own CIMD support (clientMetadataUrl) from the metadata, with ChatGPT's document URL", async () => {
        const urls: URL[] = [];
        let saved: OAuthClientInformationMixed | undefined;
        const provider: OAuthClientProvider = {
            clientMetadataUrl: DEFAULT_CLIENT_METADATA_URLS[0],
            redirectUrl: CLIENT_REDIRECT,
            clientMetadata: { redirect_uris: [CLIENT_REDIRECT], token_endpoint_auth_method: "none", grant_types: ["authorization_code", "refresh_token"], response_types: ["code"] },
            clientInformation: () => saved,
            saveClientInformation: (information) => {
                saved = information;
            },
            tokens: () => undefined,
            saveTokens: () => undefined,
            redirectToAuthorization: (url) => {
                urls.push(url);
            },
            saveCodeVerifier: () => undefined,
            codeVerifier: () => "",
        };
        const outcome = await auth(provider, { serverUrl: mcpUrl(), resourceMetadataUrl: new URL(protectedResourceMetadataUrl(local().outputs.apiUrl)) });
        expect(outcome).to.equal("REDIRECT");
        expect(saved?.client_id).to.equal("https://chatgpt.com/oauth/client.json");
        expect(`${urls[0].origin}${urls[0].pathname}`).to.equal(facade().authorize);
        expect(urls[0].searchParams.get("client_id")).to.equal("https://chatgpt.com/oauth/client.json");
    });
});

describe("OAuth facade in local mode: the tests-only switch", () => {
    it("takes only http://127.0.0.1 URLs with a path, or patterns with a port and * as one whole path segment", async () => {
        for (const url of ["https://127.0.0.1/client.json", "http://localhost:1/client.json", "http://10.0.0.1/client.json", "http://127.0.0.1:1/", "not a url",
            "http://127.0.0.1/oauth/*/client.json", "http://127.0.0.1:1/oauth/a*/client.json", "http://127.0.0.1:1/oauth/*/../client.json", "http://127.0.0.1:*/oauth/client.json"]) {
            let error: unknown;
            try {
                const local = await startLocal({ port: 0, stackFile: LOCAL_STACK_FILE, testClientMetadataUrls: [url] });
                await local.close();
            } catch (err) {
                error = err;
            }
            expect(String(error), url).to.match(/testClientMetadataUrls takes only/);
        }
        clearHandlerEnv();
    });
});
