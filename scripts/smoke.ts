/**
 * `npm run smoke [outputs.json] [--previous earlier-outputs.json]`: after `pulumi up`, checks from outside, without
 * a user's password, what most often goes wrong and what only a real deploy settles (docs/deploy-readiness-api.md and
 * -auth.md, "Only a real deploy can settle"): the API refuses a request without a token; the authorize endpoint
 * accepts every registered callback URL; the token endpoint knows the client; each HTTPS host refuses TLS 1.0 and
 * accepts TLS 1.2; with a custom domain the execute-api host is refused; with MCP on, the 401's WWW-Authenticate as
 * sent, the discovery documents and their content type, the CORS preflights, the OAuth facade's endpoints; the MCP
 * access token's `aud` (given SMOKE_MCP_ACCESS_TOKEN); routes removed since the previous outputs are gone. Each
 * check's name says what a pass proves. Checks that cannot run against these outputs are listed with the reason
 * (local mode serves plain HTTP: the TLS ones are deploy-only). Exits 1 when a check fails.
 */
import { CORS_PATHS as FACADE_CORS_PATHS, PREFLIGHT_HEADERS as FACADE_PREFLIGHT_HEADERS } from "../handler/facade/cors";
import { FACADE_METHODS, facadeUrls, issuerUrl } from "../handler/facade/paths";
import { withYamlForm } from "../infra/configFix";
import { MCP_METADATA_PATHS, bearerChallenge, mcpScope } from "../infra/mcpMetadata";
import { readOutputs, type StackOutputs } from "./outputs";
import { endpointOf, handshake } from "./tlsProbe";

export interface CheckResult {
    readonly ok: boolean;
    /** What a pass proves. */
    readonly name: string;
    /** What was seen. */
    readonly detail: string;
}

/** A check that did not run against these outputs, and why. */
export interface NotRun {
    readonly name: string;
    readonly reason: string;
    /** True when only a deployed stack can run it (local mode's plain HTTP, no execute-api host). */
    readonly deployOnly: boolean;
}

export interface SmokeReport {
    readonly results: readonly CheckResult[];
    readonly notRun: readonly NotRun[];
}

export interface SmokeOptions {
    /** The outputs of an earlier deploy: its routes missing from `outputs` must be gone. */
    readonly previous?: StackOutputs;
    /** An MCP access token (any user's), whose `aud` must be the MCP server URL. */
    readonly mcpAccessToken?: string;
    /** Extra CA certificates for the TLS checks (tests, against a local TLS server). */
    readonly ca?: string | Buffer;
}

/** One check: its name says what a pass proves; `notRun` says why it cannot run here. */
interface Check {
    readonly name: string;
    readonly notRun?: Omit<NotRun, "name">;
    readonly run: () => Promise<string>;
}

const TIMEOUT_MS = 10_000;
/** A browser origin for CORS checks; any origin will do, since a configured one is either `*` or echoed. */
const PROBE_ORIGIN = "https://chatgpt.com";

const request = (url: string, init: RequestInit = {}): Promise<Response> =>
    fetch(url, { redirect: "manual", ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });

/** The route table's operations as the GPT schema lists them: method and path. */
function operations(outputs: StackOutputs): Array<{ method: string; path: string }> {
    const paths = (JSON.parse(outputs.openApiSchema) as { paths: Record<string, Record<string, unknown>> }).paths;
    return Object.entries(paths).flatMap(([path, item]) => Object.keys(item).map((method) => ({ method: method.toUpperCase(), path })));
}

const isPlainHttp = (url: string): boolean => new URL(url).protocol === "http:";

export async function smoke(outputs: StackOutputs, options: SmokeOptions = {}): Promise<SmokeReport> {
    const results: CheckResult[] = [];
    const notRun: NotRun[] = [];
    const checks = [
        ...routeChecks(outputs),
        ...tlsChecks(outputs, options.ca),
        executeApiCheck(outputs),
        ...oauthChecks(outputs),
        ...(outputs.mcpServerUrl === undefined ? [] : mcpChecks(outputs, outputs.mcpServerUrl, options.mcpAccessToken)),
        ...removedRouteChecks(outputs, options.previous),
    ];
    // One after the other: some read what an earlier one found (the metadata URL a 401 names).
    for (const { name, notRun: skip, run } of checks) {
        if (skip !== undefined) {
            notRun.push({ name, ...skip });
            continue;
        }
        try {
            results.push({ ok: true, name, detail: await run() });
        } catch (error) {
            results.push({ ok: false, name, detail: error instanceof Error ? error.message : String(error) });
        }
    }
    return { results, notRun };
}

/** Every route answers 401 without a token: the Cognito authorizer is on each method of the document. */
function routeChecks(outputs: StackOutputs): Check[] {
    return [...new Set(operations(outputs).map((o) => o.path))].map((path) => ({
        name: `POST ${path} without a token is refused`,
        run: async () => {
            const res = await request(`${outputs.apiUrl}${path}`, { method: "POST", body: "{}" });
            const body = await res.text();
            if (res.status !== 401) {
                throw new Error(`expected 401, got ${res.status}: ${body.slice(0, 200)}`);
            }
            return `401 ${body}`;
        },
    }));
}

/**
 * TLS 1.0 refused and 1.2 accepted on each host a client is given: the API's (the execute-api endpoint's
 * `SecurityPolicy_TLS13_1_2_2021_06`, kept by the document through every overwrite import, W5; or the custom
 * domain's `TLS_1_2`) and Cognito's ("Data protection in Amazon Cognito": "We require TLS 1.2").
 */
function tlsChecks(outputs: StackOutputs, ca: string | Buffer | undefined): Check[] {
    const urls = [outputs.apiUrl, outputs.authorizationUrl, outputs.tokenUrl, ...(outputs.mcpServerUrl === undefined ? [] : [outputs.mcpServerUrl])];
    const origins = [...new Set(urls.map((url) => new URL(url).origin))];
    const apiOrigin = new URL(outputs.apiUrl).origin;
    return origins.flatMap((origin): Check[] => {
        const host = new URL(origin).host;
        // Cognito's host is AWS's to configure: no TLS setting of the user pool domain in @pulumi/aws 7.48.
        const whose = origin === apiOrigin ? "" : " (Cognito's host: nothing in this program sets its TLS floor; record it in docs/deploy-readiness-auth.md)";
        const notRun = isPlainHttp(origin) ? { reason: "plain HTTP here; TLS exists only on the deployed hosts", deployOnly: true } : undefined;
        return [
            {
                name: `${host} refuses TLS 1.0`,
                notRun,
                run: async () => {
                    const answer = await handshake(endpointOf(origin), "TLSv1", ca);
                    if (answer.outcome !== "refused") {
                        throw new Error(answer.outcome === "accepted" ? `a TLS 1.0 handshake succeeded (${answer.protocol})${whose}` : answer.reason);
                    }
                    return `a client offering only TLS 1.0 was refused: ${answer.reason}`;
                },
            },
            {
                name: `${host} accepts TLS 1.2 with a valid certificate`,
                notRun,
                run: async () => {
                    const answer = await handshake(endpointOf(origin), "TLSv1.2", ca);
                    if (answer.outcome !== "accepted") {
                        throw new Error(`a TLS 1.2 handshake failed: ${answer.reason}`);
                    }
                    if (answer.certificateError !== undefined) {
                        throw new Error(`TLS 1.2 was accepted, but the certificate does not verify: ${answer.certificateError}`);
                    }
                    return `negotiated ${answer.protocol}, certificate valid for ${host}`;
                },
            },
        ];
    });
}

/** With a custom domain the execute-api endpoint is disabled (H9): it answers 403 where the custom host serves. */
function executeApiCheck(outputs: StackOutputs): Check {
    const executeApiUrl = outputs.executeApiUrl;
    const path = operations(outputs)[0]?.path ?? "/";
    return {
        name: "the execute-api host is refused beside the custom domain",
        notRun: executeApiUrl !== undefined ? undefined : isPlainHttp(outputs.apiUrl)
            ? { reason: "local mode has no execute-api host and no custom domain", deployOnly: true }
            : { reason: "no customDomain: apiUrl is the execute-api URL, checked above", deployOnly: false },
        run: async () => {
            const res = await request(`${executeApiUrl}${path}`, { method: "POST", body: "{}" });
            const body = await res.text();
            if (res.status !== 403) {
                throw new Error(`POST ${executeApiUrl}${path} answered ${res.status}, expected 403 (disableExecuteApiEndpoint): ${body.slice(0, 200)}`);
            }
            return `POST ${path} there answers 403 ${body}, where ${outputs.apiUrl} answers 401`;
        },
    };
}

/** The GPT Action's OAuth settings: every callback URL registered, and the client id and secret right. */
function oauthChecks(outputs: StackOutputs): Check[] {
    const callbacks = outputs.callbackUrls.map((callbackUrl): Check => ({
        name: `authorize accepts ${callbackUrl}`,
        run: async () => {
            const url = new URL(outputs.authorizationUrl);
            url.search = new URLSearchParams({ response_type: "code", client_id: outputs.clientId, redirect_uri: callbackUrl, scope: outputs.scope, state: "smoke" }).toString();
            const res = await request(url.toString());
            const location = res.headers.get("location") ?? "";
            const error = location === "" ? null : new URL(location, url).searchParams.get("error");
            if (res.status >= 400 || error !== null) {
                throw new Error(`refused (${res.status}${error === null ? "" : ` ${error}`}): run ${withYamlForm("pulumi config set callbackUrl <url> && pulumi up", 2)}`);
            }
            return `${res.status}${location === "" ? "" : ` → ${new URL(location, url).pathname}`}`;
        },
    }));
    return [...callbacks, {
        name: "token endpoint knows the client id and secret",
        run: async () => {
            const res = await request(outputs.tokenUrl, {
                method: "POST",
                headers: {
                    Authorization: `Basic ${Buffer.from(`${encodeURIComponent(outputs.clientId)}:${encodeURIComponent(outputs.clientSecret)}`).toString("base64")}`,
                    "Content-Type": "application/x-www-form-urlencoded",
                },
                body: new URLSearchParams({ grant_type: "authorization_code", code: "smoke-test-dummy-code", redirect_uri: outputs.callbackUrls[0] ?? "" }),
            });
            const text = await res.text();
            const error = jsonObject(text)?.error;
            if (error === "invalid_client") {
                throw new Error("invalid_client: the client id or secret is wrong; compare them with pulumi stack output --show-secrets");
            }
            if (error !== "invalid_grant") {
                throw new Error(`expected invalid_grant for a dummy code, got ${res.status}: ${text.slice(0, 200)}`);
            }
            return "invalid_grant for a dummy code, as expected";
        },
    }];
}

function jsonObject(text: string): Record<string, unknown> | undefined {
    try {
        const value: unknown = JSON.parse(text);
        return typeof value === "object" && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : undefined;
    } catch {
        return undefined;
    }
}

/** GETs a JSON object served as application/json, or throws saying what came instead. */
async function getJson(url: string, accept = "application/json"): Promise<{ document: Record<string, unknown>; contentType: string }> {
    const res = await request(url, { headers: { Accept: accept } });
    const text = await res.text();
    const document = jsonObject(text);
    const contentType = res.headers.get("content-type") ?? "";
    if (res.status !== 200 || document === undefined) {
        throw new Error(`GET ${url}: expected a JSON document, got ${res.status}: ${text.slice(0, 200)}`);
    }
    if (!/^application\/json\b/i.test(contentType)) {
        throw new Error(`GET ${url} (Accept: ${accept}): the document is served as ${JSON.stringify(contentType)}, not application/json`);
    }
    return { document, contentType };
}

/** Where an MCP client looks for an issuer's metadata, in its order (RFC 8414 §3.1, then OIDC Discovery §4). */
function metadataUrls(issuer: string): string[] {
    const url = new URL(issuer);
    const path = url.pathname.replace(/\/+$/, "");
    return path === ""
        ? [`${url.origin}/.well-known/oauth-authorization-server`, `${url.origin}/.well-known/openid-configuration`]
        : [`${url.origin}/.well-known/oauth-authorization-server${path}`, `${url.origin}/.well-known/openid-configuration${path}`, `${url.origin}${path}/.well-known/openid-configuration`];
}

/** The 401 an unauthenticated MCP POST gets: the one request to /mcp these checks make. */
async function unauthenticatedMcp(mcpServerUrl: string, origin?: string): Promise<Response> {
    const res = await request(mcpServerUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream", ...(origin === undefined ? {} : { Origin: origin }) },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
    });
    await res.body?.cancel();
    return res;
}

/** A response header's value, or throws naming what was expected. */
function header(res: Response, name: string, expected: string): string {
    const value = res.headers.get(name);
    if (value === null) {
        throw new Error(`no ${name} header (expected ${expected})`);
    }
    return value;
}

function mcpChecks(outputs: StackOutputs, mcpServerUrl: string, mcpAccessToken: string | undefined): Check[] {
    const apiUrl = outputs.apiUrl;
    const scope = mcpScope(apiUrl);
    let resourceMetadataUrl: string | undefined;
    let authorizationServer: string | undefined;
    const discovery = [...MCP_METADATA_PATHS.protectedResource, ...MCP_METADATA_PATHS.authorizationServer].map((path): Check => ({
        name: `GET ${path} serves its discovery document as application/json, also to a browser`,
        run: async () => {
            const url = `${issuerUrl(apiUrl)}${path}`;
            const { document, contentType } = await getJson(url);
            await getJson(url, "text/html,application/xhtml+xml");
            const names = document.resource ?? document.issuer;
            return `200 ${contentType}, for Accept: text/html too (${document.resource === undefined ? "issuer" : "resource"} ${String(names)})`;
        },
    }));
    return [
        {
            name: "a 401 from /mcp sends the WWW-Authenticate challenge the document declares, verbatim",
            run: async () => {
                const res = await unauthenticatedMcp(mcpServerUrl);
                const challenge = res.headers.get("www-authenticate") ?? "";
                resourceMetadataUrl = /resource_metadata="([^"]+)"/.exec(challenge)?.[1];
                const declared = bearerChallenge(apiUrl, scope);
                if (res.status !== 401 || challenge !== declared) {
                    throw new Error(`expected 401 with WWW-Authenticate: ${declared}, got ${res.status} with ${JSON.stringify(challenge)}`);
                }
                return `401, WWW-Authenticate: ${challenge}`;
            },
        },
        {
            name: "the protected resource metadata names the MCP server",
            run: async () => {
                const { document } = await getJson(resourceMetadataUrl ?? new URL("/.well-known/oauth-protected-resource", mcpServerUrl).toString());
                if (document.resource !== mcpServerUrl) {
                    throw new Error(`resource is ${JSON.stringify(document.resource)}, expected ${mcpServerUrl}`);
                }
                const servers = document.authorization_servers;
                authorizationServer = Array.isArray(servers) && typeof servers[0] === "string" ? servers[0] : undefined;
                if (authorizationServer === undefined) {
                    throw new Error("authorization_servers is missing");
                }
                return `resource ${mcpServerUrl}, authorization server ${authorizationServer}`;
            },
        },
        {
            name: "the authorization server metadata offers PKCE with S256 at the facade's endpoints",
            run: async () => {
                if (authorizationServer === undefined) {
                    throw new Error("no authorization server to look up (see the check above)");
                }
                const problems: string[] = [];
                for (const url of metadataUrls(authorizationServer)) {
                    try {
                        const { document } = await getJson(url);
                        const methods = document.code_challenge_methods_supported;
                        if (Array.isArray(methods) && methods.includes("S256") && document.token_endpoint === facadeUrls(apiUrl).token) {
                            return `${url} lists S256, token endpoint ${String(document.token_endpoint)}`;
                        }
                        problems.push(`${url} does not list S256, or names another token endpoint than ${facadeUrls(apiUrl).token}`);
                    } catch (error) {
                        problems.push(error instanceof Error ? error.message : String(error));
                    }
                }
                throw new Error(problems.join("; "));
            },
        },
        ...discovery,
        ...facadeChecks(apiUrl),
        ...corsChecks(outputs, mcpServerUrl),
        audienceCheck(mcpServerUrl, scope, mcpAccessToken),
    ];
}

/**
 * Each facade operation reaches the facade's function: its own answer to a request without parameters (an OAuth
 * error), not API Gateway's (403 for a missing method, 500 when the `*\/oauth/*` permission does not let it invoke).
 */
function facadeChecks(apiUrl: string): Check[] {
    return Object.entries(FACADE_METHODS).map(([path, method]): Check => ({
        name: `${method} ${path} reaches the OAuth facade`,
        run: async () => {
            const res = await request(`${issuerUrl(apiUrl)}${path}`, method === "POST"
                ? { method, headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "" }
                : { method });
            const text = await res.text();
            const gatewayMessage = jsonObject(text)?.message;
            // API Gateway's own answers are all {"message": …} (the document's gateway responses).
            if (res.status >= 500 || typeof gatewayMessage === "string") {
                throw new Error(`API Gateway answered instead of the facade: ${res.status} ${text.slice(0, 200)}`);
            }
            const error = jsonObject(text)?.error;
            return `the facade's ${res.status} ${res.headers.get("content-type") ?? ""}${typeof error === "string" ? ` ${error}` : ""}`;
        },
    }));
}

/**
 * CORS preflights. The facade's token and revocation endpoints always have one (handler/facade/cors.ts). The API's
 * paths have one when `corsAllowOrigin` is set, which the outputs do not say; so the check is that the preflight
 * and the 401 agree: both allow the origin (and the 401 exposes WWW-Authenticate on /mcp), or neither does.
 */
function corsChecks(outputs: StackOutputs, mcpServerUrl: string): Check[] {
    const apiUrl = outputs.apiUrl;
    const facade = FACADE_CORS_PATHS.map((path): Check => ({
        name: `OPTIONS ${path}: a browser's preflight is allowed POST with Authorization`,
        run: async () => {
            const res = await preflight(`${issuerUrl(apiUrl)}${path}`, "POST");
            if (res.status !== 200) {
                throw new Error(`expected 200, got ${res.status}`);
            }
            for (const [name, value] of Object.entries(FACADE_PREFLIGHT_HEADERS)) {
                if (res.headers.get(name) !== value) {
                    throw new Error(`${name} is ${JSON.stringify(res.headers.get(name))}, expected ${value}`);
                }
            }
            return `200, ${Object.keys(FACADE_PREFLIGHT_HEADERS).map((name) => `${name}: ${res.headers.get(name) ?? ""}`).join(", ")}`;
        },
    }));
    const targets = [...new Set(operations(outputs).map((o) => o.path))].map((path) => ({ path, url: `${apiUrl}${path}` }));
    targets.push({ path: mcpServerUrl.slice(issuerUrl(apiUrl).length), url: mcpServerUrl });
    const api = targets.map(({ path, url }): Check => ({
        name: `OPTIONS ${path}: the preflight and the 401 agree on CORS`,
        run: async () => {
            const res = await preflight(url, "POST");
            await res.body?.cancel();
            const unauthorized = url === mcpServerUrl ? await unauthenticatedMcp(url, PROBE_ORIGIN)
                : await request(url, { method: "POST", headers: { Origin: PROBE_ORIGIN }, body: "{}" });
            await unauthorized.body?.cancel();
            const errorOrigin = unauthorized.headers.get("access-control-allow-origin");
            if (res.status !== 200) {
                if (errorOrigin !== null) {
                    throw new Error(`OPTIONS answered ${res.status}, yet the 401 allows origin ${errorOrigin}`);
                }
                return `CORS off: OPTIONS answers ${res.status} and the 401 allows no origin`;
            }
            const origin = header(res, "access-control-allow-origin", "an allowed origin");
            const methods = header(res, "access-control-allow-methods", "POST").split(",").map((m) => m.trim());
            const headers = header(res, "access-control-allow-headers", "Authorization").toLowerCase().split(",").map((h) => h.trim());
            if (!methods.includes("POST") || !headers.includes("authorization") || !headers.includes("content-type")) {
                throw new Error(`the preflight allows methods ${methods.join(",")} and headers ${headers.join(",")}: POST with Authorization and Content-Type is not allowed`);
            }
            if (errorOrigin !== origin) {
                throw new Error(`the preflight allows origin ${origin}, the 401 ${JSON.stringify(errorOrigin)}: a browser could not read the error`);
            }
            const exposed = (unauthorized.headers.get("access-control-expose-headers") ?? "").toLowerCase();
            if (url === mcpServerUrl && !exposed.includes("www-authenticate")) {
                throw new Error("the 401 from /mcp does not expose WWW-Authenticate: a browser-based MCP client cannot find the metadata");
            }
            return `CORS on: OPTIONS 200 allows ${origin} to POST; the 401 allows ${origin} too${url === mcpServerUrl ? " and exposes WWW-Authenticate" : ""}`;
        },
    }));
    return [...facade, ...api];
}

function preflight(url: string, method: string): Promise<Response> {
    return request(url, {
        method: "OPTIONS",
        headers: { Origin: PROBE_ORIGIN, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": "authorization,content-type" },
    });
}

/**
 * The MCP access token is bound to the MCP server: its `aud` is the RFC 8707 `resource` (Cognito "Understanding the
 * access token": `aud` is "present only if your application requested a resource binding"). Read, not verified:
 * the token came from the person running the check.
 */
function audienceCheck(mcpServerUrl: string, scope: string, token: string | undefined): Check {
    return {
        name: "the MCP access token's aud is the MCP server (the resource binding)",
        notRun: token !== undefined ? undefined : {
            reason: "no token: sign in with an MCP client (the MCP Inspector shows its access token) and run with SMOKE_MCP_ACCESS_TOKEN=<that token>",
            deployOnly: false,
        },
        run: () => {
            const payload = jsonObject(Buffer.from((token ?? "").split(".")[1] ?? "", "base64url").toString("utf8"));
            if (payload === undefined) {
                throw new Error("SMOKE_MCP_ACCESS_TOKEN is not a JWT");
            }
            const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
            if (!audiences.includes(mcpServerUrl)) {
                throw new Error(`aud is ${JSON.stringify(payload.aud)}, expected ${mcpServerUrl}: the token is not bound to the MCP server`);
            }
            const scopes = typeof payload.scope === "string" ? payload.scope.split(" ") : [];
            if (!scopes.includes(scope)) {
                throw new Error(`scope is ${JSON.stringify(payload.scope)}, expected it to hold ${scope}`);
            }
            return Promise.resolve(`aud ${JSON.stringify(payload.aud)}, scope ${String(payload.scope)}`);
        },
    };
}

/**
 * A route in the earlier outputs' schema and not in these is gone from the stage: API Gateway answers 403 (or 404)
 * for a method it does not have, where a lingering route would still answer 401.
 */
function removedRouteChecks(outputs: StackOutputs, previous: StackOutputs | undefined): Check[] {
    if (previous === undefined) {
        return [{
            name: "routes removed since an earlier deploy are gone",
            notRun: { reason: "no earlier outputs: save them before pulumi up and pass --previous <file>", deployOnly: false },
            run: () => Promise.resolve(""),
        }];
    }
    const now = new Set(operations(outputs).map((o) => `${o.method} ${o.path}`));
    const removed = operations(previous).filter((o) => !now.has(`${o.method} ${o.path}`));
    if (removed.length === 0) {
        return [{
            name: "routes removed since an earlier deploy are gone",
            notRun: { reason: "the earlier outputs name no route that is not in these", deployOnly: false },
            run: () => Promise.resolve(""),
        }];
    }
    return removed.map(({ method, path }): Check => ({
        name: `removed route ${method} ${path} is gone`,
        run: async () => {
            const res = await request(`${outputs.apiUrl}${path}`, { method, ...(method === "GET" || method === "HEAD" ? {} : { body: "{}" }) });
            const body = await res.text();
            if (res.status !== 403 && res.status !== 404) {
                throw new Error(`answered ${res.status} (${body.slice(0, 200)}): the route still exists on the stage`);
            }
            return `${res.status} ${body}`;
        },
    }));
}

/** The command line: `[outputs.json] [--previous earlier.json]`. */
function parseArgs(argv: readonly string[]): { file?: string; previous?: string } {
    const at = argv.indexOf("--previous");
    const previous = at < 0 ? undefined : argv[at + 1];
    if (at >= 0 && previous === undefined) {
        throw new Error("--previous needs a file: the outputs saved before pulumi up (pulumi stack output --json --show-secrets > before.outputs.json)");
    }
    const rest = argv.filter((_, i) => at < 0 || (i !== at && i !== at + 1));
    return { file: rest[0], previous };
}

/** The report as the script prints it. */
export function formatReport(report: SmokeReport): string {
    const lines = report.results.map((r) => `${r.ok ? "✔" : "✘"} ${r.name}: ${r.detail}`);
    const deployOnly = report.notRun.filter((n) => n.deployOnly);
    const other = report.notRun.filter((n) => !n.deployOnly);
    if (deployOnly.length > 0) {
        lines.push("Deploy-only, not run here:", ...deployOnly.map((n) => `  - ${n.name} (${n.reason})`));
    }
    if (other.length > 0) {
        lines.push("Not run against this stack:", ...other.map((n) => `  - ${n.name} (${n.reason})`));
    }
    const failed = report.results.filter((r) => !r.ok).length;
    lines.push(failed === 0 ? `All ${report.results.length} checks passed.` : `${failed} of ${report.results.length} checks failed.`);
    return lines.join("\n");
}

async function main(): Promise<number> {
    const args = parseArgs(process.argv.slice(2));
    const token = process.env.SMOKE_MCP_ACCESS_TOKEN;
    const report = await smoke(readOutputs(args.file, "smoke"), {
        previous: args.previous === undefined ? undefined : readOutputs(args.previous, "smoke"),
        mcpAccessToken: token === undefined || token === "" ? undefined : token,
    });
    console.log(formatReport(report));
    return report.results.every((r) => r.ok) ? 0 : 1;
}

if (require.main === module) {
    main().then((code) => { process.exitCode = code; }, (error: unknown) => {
        console.error(error instanceof Error ? error.message : error);
        process.exitCode = 1;
    });
}
