/**
 * What the OAuth facade's tests share: settings built the way the infrastructure builds them, a recording stand-in
 * for Cognito's token and revocation endpoints, loopback servers that play a client's metadata document host, and
 * events as API Gateway hands them to the facade.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createFacadeHandler, type FacadeHandler } from "../handler/facade";
import type { FacadeContext } from "../handler/facade/context";
import { facadeSettings, type FacadeSettings } from "../handler/facade/settings";

export const API_URL = "https://abc123.execute-api.eu-west-1.amazonaws.com/Prod";
export const HOSTED_UI = "https://pool.auth.eu-west-1.amazoncognito.com";
export const SHADOW_CLIENT_ID = "shadow-client";
export const STATIC_CLIENT_ID = "static-mcp-client";
export const STATIC_REDIRECT = "https://claude.ai/api/mcp/auth_callback";
export const SCOPE = `${API_URL}/mcp/tools`;
export const RESOURCE = `${API_URL}/mcp`;
/** Claude's hosted callbacks, as its published document lists them (claudeDocument). */
export const CLAUDE_REDIRECTS: readonly string[] = ["https://claude.ai/api/mcp/auth_callback", "https://claude.com/api/mcp/auth_callback"];
/** ChatGPT's stable RFC 9207 callback, as a CIMD client's registered redirect URI. */
export const CLIENT_REDIRECT = "https://chatgpt.com/connector_platform_oauth_redirect";

export function settingsFor(clientMetadataUrls: readonly string[], apiUrl = API_URL): FacadeSettings {
    return facadeSettings({
        apiUrl,
        cognito: {
            authorizationEndpoint: `${HOSTED_UI}/oauth2/authorize`,
            tokenEndpoint: `${HOSTED_UI}/oauth2/token`,
            revocationEndpoint: `${HOSTED_UI}/oauth2/revoke`,
        },
        shadowClientId: SHADOW_CLIENT_ID,
        clientMetadataUrls,
        staticClients: { [STATIC_CLIENT_ID]: [STATIC_REDIRECT] },
    }, randomBytes(32));
}

/** One form a stand-in Cognito received. */
export interface Forwarded {
    readonly url: string;
    readonly form: Record<string, string>;
    readonly headers: Readonly<Record<string, string>>;
}

/** Records what the facade forwards and answers as Cognito would for a good request. */
export function fakeCognito(answer: (forwarded: Forwarded) => { status: number; body: unknown } = () => ({
    status: 200, body: { access_token: "cognito-access", token_type: "Bearer", expires_in: 3600, refresh_token: "cognito-refresh" },
})): { readonly forwarded: Forwarded[]; readonly post: FacadeContext["post"] } {
    const forwarded: Forwarded[] = [];
    return {
        forwarded,
        post: (url, form, headers) => {
            const entry = { url, form: Object.fromEntries(form), headers };
            forwarded.push(entry);
            const { status, body } = answer(entry);
            return Promise.resolve(new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } }));
        },
    };
}

/** A facade with loopback document fetches allowed, a movable clock and a stand-in Cognito. */
export function facadeFor(settings: FacadeSettings, options: { clock?: () => number; post?: FacadeContext["post"] } = {}): FacadeHandler {
    return createFacadeHandler(settings, { clock: options.clock, post: options.post ?? fakeCognito().post, fetchOptions: () => ({ allowLoopbackHttp: true }) });
}

export function getEvent(path: string, params: Record<string, string | string[]>): APIGatewayProxyEvent {
    const multi = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));
    return {
        httpMethod: "GET", resource: path, path, body: null, isBase64Encoded: false, headers: {}, multiValueHeaders: {},
        queryStringParameters: Object.fromEntries(Object.entries(multi).map(([k, v]) => [k, v[v.length - 1]])),
        multiValueQueryStringParameters: multi, pathParameters: null, stageVariables: null,
        requestContext: { requestId: "test" } as APIGatewayProxyEvent["requestContext"],
    };
}

export function postEvent(path: string, form: Record<string, string>, headers: Record<string, string> = {}): APIGatewayProxyEvent {
    return {
        ...getEvent(path, {}), httpMethod: "POST", queryStringParameters: null, multiValueQueryStringParameters: null,
        headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers }, body: new URLSearchParams(form).toString(),
    };
}

/** The Location of a 302 (or the consent POST's 303), parsed; fails the test for anything else. */
export function location(result: APIGatewayProxyResult): URL {
    if (result.statusCode !== 302 && result.statusCode !== 303) {
        throw new Error(`expected a redirect, got ${result.statusCode}: ${result.body.slice(0, 200)}`);
    }
    return new URL(String(result.headers?.Location));
}

export function pkcePair(): { verifier: string; challenge: string } {
    const verifier = randomBytes(32).toString("base64url");
    return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

/** A loopback HTTP server answering every request with `respond`; counts requests. */
export interface DocumentHost {
    readonly origin: string;
    readonly requests: IncomingMessage[];
    close(): Promise<void>;
}

export async function documentHost(respond: (req: IncomingMessage, res: ServerResponse) => void): Promise<DocumentHost> {
    const requests: IncomingMessage[] = [];
    const server = createServer((req, res) => {
        requests.push(req);
        respond(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        origin: `http://127.0.0.1:${port}`,
        requests,
        close: () => new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
        }),
    };
}

/** Serves `document` (a function of the request's URL) as JSON with `headers`. */
export function serveJson(document: (url: string) => unknown, headers: Record<string, string> = {}): (req: IncomingMessage, res: ServerResponse) => void {
    return (req, res) => {
        const body = JSON.stringify(document(`http://${req.headers.host ?? ""}${req.url ?? ""}`));
        res.writeHead(200, { "Content-Type": "application/json", ...headers });
        res.end(body);
    };
}

/** The consent page's form token and the cookie it set, as a browser holds them. */
export function consentForm(page: APIGatewayProxyResult): { readonly token: string; readonly cookie: string } {
    const token = /<input type="hidden" name="consent" value="([^"]+)">/.exec(page.body)?.[1];
    const cookie = String(page.headers?.["Set-Cookie"] ?? "").split(";")[0];
    if (page.statusCode !== 200 || token === undefined || cookie === "") {
        throw new Error(`expected the consent page, got ${page.statusCode}: ${page.body.slice(0, 200)}`);
    }
    return { token, cookie };
}

/** The consent POST a browser sends for `form`; `headers` replace or add to the browser's. */
export function consentEvent(form: Record<string, string>, cookie: string | undefined, headers: Record<string, string> = {}): APIGatewayProxyEvent {
    return postEvent("/oauth/consent", form, { ...(cookie === undefined ? {} : { Cookie: cookie }), "Sec-Fetch-Site": "same-origin", ...headers });
}

/** Answers a consent page with `decision` from the browser that opened it; any other answer passes through. */
export async function answerConsent(handler: FacadeHandler, answer: APIGatewayProxyResult, decision: "allow" | "deny" = "allow"): Promise<APIGatewayProxyResult> {
    if (answer.statusCode !== 200) {
        return answer;
    }
    const { token, cookie } = consentForm(answer);
    return handler(consentEvent({ consent: token, decision }, cookie));
}

/**
 * ChatGPT's client metadata document, shaped from what OpenAI publishes: the Apps SDK "Authentication" page
 * (developers.openai.com/apps-sdk/build/auth) says ChatGPT identifies itself with CIMD, supports `none` and
 * `private_key_jwt` and prefers `private_key_jwt`, its keys at https://chatgpt.com/oauth/jwks.json; the document's
 * fields as other authorization servers reproduce it from https://chatgpt.com/oauth/client.json (e.g.
 * Altinity/altinity-mcp#119, May 2026): `token_endpoint_auth_method` "private_key_jwt",
 * `token_endpoint_auth_methods_supported` ["none", "private_key_jwt"], `token_endpoint_auth_signing_alg` "RS256",
 * `jwks_uri`. `client_id`, `jwks_uri` and the redirect URI are the test's (the document must name its own URL).
 */
export function chatGptDocument(clientId: string, jwksUri: string, redirectUri = CLIENT_REDIRECT): Record<string, unknown> {
    return {
        client_id: clientId,
        client_uri: "https://chatgpt.com/",
        redirect_uris: [redirectUri],
        token_endpoint_auth_method: "private_key_jwt",
        token_endpoint_auth_methods_supported: ["none", "private_key_jwt"],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        client_name: "ChatGPT",
        logo_uri: "https://persistent.oaistatic.com/sonic/misc/openai-logo.png",
        token_endpoint_auth_signing_alg: "RS256",
        jwks_uri: jwksUri,
    };
}

/**
 * Claude's document at https://claude.ai/oauth/mcp-oauth-client-metadata, as Anthropic's "Authentication for
 * connectors" describes it and its live copy reads (transcribed by independent conformance harnesses, 2026-08): a
 * public client (`none`) with the hosted callbacks on claude.ai and claude.com, and among its `grant_types` the
 * RFC 7523 jwt-bearer extension grant, which the facade does not run and must ignore. `redirectUris` replace the
 * hosted callbacks where a test plays Claude's callback itself.
 */
export function claudeDocument(clientId: string, redirectUris: readonly string[] = CLAUDE_REDIRECTS): Record<string, unknown> {
    return {
        client_id: clientId,
        client_name: "Claude",
        client_uri: "https://claude.ai",
        redirect_uris: redirectUris,
        grant_types: ["authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:jwt-bearer"],
        response_types: ["code"],
        token_endpoint_auth_method: "none",
    };
}

/**
 * A command-line client's document, as Claude Code, Codex and VS Code publish theirs (issue 20): a public client
 * whose one redirect URI is loopback without a port, `http://127.0.0.1/callback`, which it uses on whatever port it
 * listens on (RFC 8252 §7.3).
 */
export function loopbackCliDocument(clientId: string): Record<string, unknown> {
    return {
        client_id: clientId,
        client_name: "A CLI",
        redirect_uris: ["http://127.0.0.1/callback"],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: "none",
    };
}
