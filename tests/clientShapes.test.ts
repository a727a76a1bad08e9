/**
 * Issue 20's "Done means", end to end: real clients' shapes of Client ID Metadata Document, each signing in through
 * local mode with the official MCP SDK client and a real Chromium, one row each: ChatGPT's document with
 * private_key_jwt (its preferred method) on a per-connector URL matched by a pattern; the same document with the
 * client choosing `none`; Claude's document; a command-line client's loopback document. Each row: the consent page
 * (Allow), the login page, the client's callback with `code`, `state` and `iss`; the code exchange with the client's
 * method; tools/list and a call of every tool; a refresh (rotated, the old refresh token then refused once local
 * mode's grace period has passed, on its injected clock); a revocation with the client's method, after which the
 * revoked refresh token is refused.
 *
 * The documents are the fixtures' (tests/facadeFixtures.ts, whose comments cite the published ones), served on
 * 127.0.0.1 through local mode's tests-only switch (startLocal's testClientMetadataUrls). The default pattern
 * `https://chatgpt.com/oauth/<connector>/client.json` names an https host no test can serve, so the ChatGPT rows use a
 * pattern of the same shape on the stand-in's origin, matched by the same code (handler/facade/clientIdPatterns.ts);
 * the default pattern itself is unit-tested in tests/clientIdPatterns.test.ts. Without a browser the suite says so
 * and does not run, unless REQUIRE_BROWSER=1 (CI), as tests/mcpBrowser.test.ts.
 */
import { discoverAuthorizationServerMetadata } from "@modelcontextprotocol/sdk/client/auth.js";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { AuthorizationServerMetadata } from "@modelcontextprotocol/sdk/shared/auth.js";
import type { FetchLike } from "@modelcontextprotocol/sdk/shared/transport.js";
import { expect } from "chai";
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { decodeJwt, exportJWK, generateKeyPair, type JWK } from "jose";
import type { Browser, Page } from "playwright-core";
import { JWT_BEARER_ASSERTION } from "../handler/facade/clientAuthMethods";
import { facadeUrls } from "../handler/facade/paths";
import { routeList } from "../handler/routes";
import { RETRY_GRACE_PERIOD_SECONDS } from "../infra/refreshTokens";
import { startLocal, type LocalServer } from "../local/server";
import { chromiumOrSkip, launchChromium, logInAt, openRecordedPage } from "./chromium";
import { chatGptDocument, claudeDocument, documentHost, loopbackCliDocument, type DocumentHost } from "./facadeFixtures";
import { LOCAL_STACK_FILE, clearHandlerEnv, silenceLogs } from "./localMode";
import { connectAfterSignIn, PrivateKeyJwtClientProvider, StaticClientProvider } from "./mcpOAuthProvider";
import { exampleArguments, expectToolResult, operationOutcome } from "./toolExamples";

/** The origins a row's client lives on: the stand-in for its web site (documents, keys, hosted callbacks), and a CLI's own loopback listener. */
interface Origins {
    readonly site: string;
    readonly cli: string;
}

type AuthMethod = "private_key_jwt" | "none";

interface ClientShape {
    readonly plays: string;
    /** Its client_id URL's path on the stand-in site. */
    readonly documentPath: string;
    /** Its document, as the fixture shapes it from the published one, with redirect URIs on the stand-in. */
    readonly document: (clientId: string, origins: Origins) => Record<string, unknown>;
    /** The redirect_uri it sends, where the browser must land with the answer. */
    readonly redirectUri: (origins: Origins) => string;
    /** How it authenticates at /oauth/token and /oauth/revoke. */
    readonly method: AuthMethod;
    /** Allow-listed by the per-connector pattern, not by its exact URL. */
    readonly byPattern: boolean;
}

const JWKS_PATH = "/oauth/jwks.json";
/** A ChatGPT connector's callback id: a fresh one per run, so that only the pattern can name its document. */
const connectorId = () => `g-${randomBytes(6).toString("hex")}`;
const withPrivateKeyJwt = connectorId();
const withNone = connectorId();
/** ChatGPT's per-connector document and callback (chatgpt.com/oauth/<id>/client.json, chatgpt.com/connector/oauth/<id>), on the stand-in. */
const chatGptConnector = (id: string, method: AuthMethod): ClientShape => ({
    plays: `ChatGPT, per-connector document, ${method}`,
    documentPath: `/oauth/${id}/client.json`,
    document: (clientId, { site }) => chatGptDocument(clientId, `${site}${JWKS_PATH}`, `${site}/connector/oauth/${id}`),
    redirectUri: ({ site }) => `${site}/connector/oauth/${id}`,
    method,
    byPattern: true,
});

const SHAPES: readonly ClientShape[] = [
    chatGptConnector(withPrivateKeyJwt, "private_key_jwt"),
    // The same document lists `none` among its supported methods: a client may choose it (issue 20, item 1).
    chatGptConnector(withNone, "none"),
    {
        plays: "Claude, whose grant_types list an extension grant",
        documentPath: "/oauth/mcp-oauth-client-metadata",
        document: (clientId, { site }) => claudeDocument(clientId, [`${site}/api/mcp/auth_callback`]),
        redirectUri: ({ site }) => `${site}/api/mcp/auth_callback`,
        method: "none",
        byPattern: false,
    },
    {
        // The document says http://127.0.0.1/callback, no port; the CLI listens on a port of its own (RFC 8252 §7.3).
        plays: "a command-line client, its portless loopback redirect URI on its own port",
        documentPath: "/cli/client.json",
        document: (clientId) => loopbackCliDocument(clientId),
        redirectUri: ({ cli }) => `${cli}/callback`,
        method: "none",
        byPattern: false,
    },
];

/** One request the SDK made, as the token endpoint saw it. */
interface SeenRequest {
    readonly url: string;
    readonly status: number;
    readonly form: URLSearchParams | undefined;
    readonly authorization: string | null;
}

const callbackPage = (res: ServerResponse) => {
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    // No icon to fetch: a 404 for /favicon.ico would be a console error, which fails a row.
    res.end("<!doctype html><title>Client callback</title><link rel=\"icon\" href=\"data:,\"><p>The client has its answer.</p>");
};

describe("issue 20, done: real clients' document shapes sign in through local mode with the SDK and Chromium", function () {
    this.timeout(30_000);
    let browser: Browser;
    let local: LocalServer;
    let site: DocumentHost;
    let cliListener: DocumentHost;
    let origins: Origins;
    let metadata: AuthorizationServerMetadata;
    let privateJwk: JWK;
    let publicJwk: JWK;
    /** Added to local mode's clock: moved on past the refresh grace period, never back. */
    let clockOffsetMs = 0;
    let restoreLogs = (): void => undefined;

    /** The stand-in for the clients' web sites: their documents, ChatGPT's keys, and their hosted callbacks. */
    const serveSite = (req: IncomingMessage, res: ServerResponse) => {
        const path = new URL(req.url ?? "/", site.origin).pathname;
        const shape = SHAPES.find((s) => s.documentPath === path);
        if (shape !== undefined || path === JWKS_PATH) {
            res.writeHead(200, { "Content-Type": "application/json" });
            res.end(JSON.stringify(shape === undefined ? { keys: [publicJwk] } : shape.document(`${site.origin}${path}`, origins)));
            return;
        }
        if (SHAPES.some((s) => new URL(s.redirectUri(origins)).pathname === path)) {
            callbackPage(res);
            return;
        }
        res.writeHead(404).end();
    };

    before(async function () {
        const executable = chromiumOrSkip(this);
        const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
        privateJwk = { ...(await exportJWK(privateKey)), kid: "chatgpt-test" };
        publicJwk = { ...(await exportJWK(publicKey)), kid: "chatgpt-test", alg: "RS256", use: "sig" };
        [site, cliListener] = await Promise.all([documentHost(serveSite), documentHost((_req, res) => callbackPage(res))]);
        origins = { site: site.origin, cli: cliListener.origin };
        [browser, local] = await Promise.all([
            launchChromium(executable),
            startLocal({
                port: 0, stackFile: LOCAL_STACK_FILE, clock: () => Date.now() + clockOffsetMs,
                // ChatGPT's documents by pattern only, as the default https://chatgpt.com/oauth/*/client.json names them.
                testClientMetadataUrls: [`${site.origin}/oauth/*/client.json`, ...SHAPES.filter((s) => !s.byPattern).map((s) => `${site.origin}${s.documentPath}`)],
            }),
        ]);
        metadata = await discoverAuthorizationServerMetadata(local.outputs.apiUrl) ?? expect.fail("no authorization server metadata");
        restoreLogs = silenceLogs();
    });
    after(async () => {
        restoreLogs();
        await browser?.close();
        await local?.close();
        await site?.close();
        await cliListener?.close();
        clearHandlerEnv();
    });

    const endpoints = () => facadeUrls(local.outputs.apiUrl);

    /** The user in Chromium: the authorization URL, the consent page (Allow), the login page, on to `redirectUri`. */
    async function signInWithChromium(page: Page, shape: ClientShape, authorizationUrl: URL): Promise<URL> {
        const redirectUri = shape.redirectUri(origins);
        expect(authorizationUrl.searchParams.get("redirect_uri"), "the SDK sends the client's own callback").to.equal(redirectUri);
        await page.goto(authorizationUrl.href);
        await page.getByRole("heading", { name: /An app wants to use/ }).waitFor();
        expect(await page.locator(".name").textContent()).to.include("not verified");
        expect(await page.locator("dd.code").textContent()).to.equal(new URL(redirectUri).host);
        await Promise.all([page.waitForURL((u) => u.pathname === "/login"), page.getByRole("button", { name: "Allow" }).click()]);
        const back = await logInAt(page, local.outputs.testUser, redirectUri);
        expect(`${back.origin}${back.pathname}`).to.equal(redirectUri);
        expect(back.searchParams.get("code")).to.match(/^[A-Za-z0-9_-]{40,}$/);
        // The provider checks `state` against the one it sent; here, that there is one.
        expect(back.searchParams.get("state")).to.be.a("string").and.not.equal("");
        expect(back.searchParams.get("iss"), "RFC 9207: the issuer the metadata names").to.equal(metadata.issuer);
        return back;
    }

    /** What a token or revocation request of this client carries, besides its own fields. */
    async function clientAuthenticated(provider: StaticClientProvider, clientId: string, url: string, fields: Record<string, string>): Promise<URLSearchParams> {
        const form = new URLSearchParams(fields);
        if (provider instanceof PrivateKeyJwtClientProvider) {
            // The SDK's own hook, as on its token requests: the assertion's audience is the issuer.
            await provider.addClientAuthentication(new Headers(), form, url, metadata);
        } else {
            form.set("client_id", clientId);
        }
        return form;
    }

    const expectClientMethod = (request: SeenRequest, shape: ClientShape, clientId: string) => {
        const label = `${request.form?.get("grant_type")}`;
        expect(request.form?.has("client_secret"), label).to.equal(false);
        expect(request.authorization, label).to.equal(null);
        if (shape.method === "private_key_jwt") {
            expect(request.form?.get("client_assertion_type"), label).to.equal(JWT_BEARER_ASSERTION);
            expect(request.form?.get("client_assertion"), label).to.match(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
        } else {
            expect(request.form?.get("client_id"), label).to.equal(clientId);
            expect(request.form?.has("client_assertion"), label).to.equal(false);
        }
    };

    async function callEveryTool(client: Client, accessToken: string): Promise<void> {
        const access = decodeJwt(accessToken);
        const caller = { sub: String(access.sub), username: String(access.username), scopes: [String(access.scope)] };
        for (const route of routeList()) {
            const args = exampleArguments(route);
            const result = await client.callTool({ name: route.operationId, arguments: args });
            if (expectToolResult(route, result, await operationOutcome(route, args, caller))) {
                expect(result.content, route.operationId).to.not.be.empty;
            }
        }
    }

    for (const shape of SHAPES) {
        it(`${shape.plays}: consent, sign-in, code with iss, token, every tool, refresh (rotated), revoke`, async () => {
            const clientId = `${site.origin}${shape.documentPath}`;
            const { context, page, errors } = await openRecordedPage(browser);
            try {
                const signIn = (url: URL) => signInWithChromium(page, shape, url);
                const provider = shape.method === "private_key_jwt"
                    ? new PrivateKeyJwtClientProvider(clientId, privateJwk, shape.redirectUri(origins), signIn)
                    : new StaticClientProvider({ client_id: clientId }, shape.redirectUri(origins), signIn);
                const seen: SeenRequest[] = [];
                const recording: FetchLike = async (url, init) => {
                    const res = await fetch(url, init);
                    seen.push({
                        url: String(url), status: res.status, form: init?.body instanceof URLSearchParams ? init.body : undefined,
                        authorization: new Headers(init?.headers).get("authorization"),
                    });
                    return res;
                };

                const client = await connectAfterSignIn(new URL(local.outputs.mcpServerUrl ?? ""), provider, recording);
                const { tools } = await client.listTools();
                expect(tools.map((t) => t.name)).to.have.members(routeList().map((r) => r.operationId));
                await callEveryTool(client, provider.tokens()?.access_token ?? "");

                // Refresh, forced: the access token no longer works, so the SDK refreshes and retries.
                const signedInRefresh = provider.tokens()?.refresh_token ?? "";
                provider.replaceAccessToken("no-longer-valid");
                expect((await client.listTools()).tools).to.have.lengthOf(routeList().length);
                const rotatedRefresh = provider.tokens()?.refresh_token ?? "";
                expect(rotatedRefresh, "rotated").to.be.a("string").and.not.equal("").and.not.equal(signedInRefresh);
                await client.close();

                const tokenRequests = seen.filter((s) => s.url === endpoints().token);
                expect(tokenRequests.map((s) => [s.form?.get("grant_type"), s.status])).to.deep.equal([["authorization_code", 200], ["refresh_token", 200]]);
                for (const request of tokenRequests) {
                    expectClientMethod(request, shape, clientId);
                }

                const refresh = async (refreshToken: string) => fetch(endpoints().token, {
                    method: "POST", body: await clientAuthenticated(provider, clientId, endpoints().token, { grant_type: "refresh_token", refresh_token: refreshToken }),
                });
                // Past the grace period after its first use (AWS's rotation, as local mode emulates it), the old one is refused.
                clockOffsetMs += (RETRY_GRACE_PERIOD_SECONDS + 1) * 1000;
                const late = await refresh(signedInRefresh);
                expect(late.status, "the rotated-out refresh token").to.equal(400);
                expect(await late.json()).to.include({ error: "invalid_grant" });

                const revoked = await fetch(endpoints().revoke, {
                    method: "POST", body: await clientAuthenticated(provider, clientId, endpoints().revoke, { token: rotatedRefresh }),
                });
                expect(revoked.status).to.equal(200);
                const afterRevoke = await refresh(rotatedRefresh);
                expect(afterRevoke.status, "the revoked refresh token").to.equal(400);
                expect(await afterRevoke.json()).to.include({ error: "invalid_grant" });

                expect(errors, "the browser's console").to.deep.equal([]);
            } finally {
                await context.close();
            }
        });
    }
});
