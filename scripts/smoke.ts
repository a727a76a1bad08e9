/**
 * `npm run smoke [outputs.json]`: after `pulumi up`, checks what most often goes wrong, without a user's
 * password: the API refuses a request without a token; the authorize endpoint accepts every registered
 * callback URL; the token endpoint knows the client (a dummy code with the real secret gets invalid_grant,
 * not invalid_client). With MCP on, the OAuth discovery an MCP client starts from: a 401 from the MCP endpoint that
 * names its Protected Resource Metadata (RFC 9728 §5.1), that document's `resource`, and Authorization Server
 * Metadata advertising S256 (MCP 2025-11-25, Authorization: a client refuses to proceed without it). Exits 1 when
 * a check fails.
 */
import { withYamlForm } from "../infra/configFix";
import { readOutputs, type StackOutputs } from "./outputs";

export interface CheckResult {
    readonly ok: boolean;
    readonly name: string;
    readonly detail: string;
}

const TIMEOUT_MS = 10_000;

async function check(name: string, run: () => Promise<string>): Promise<CheckResult> {
    try {
        return { ok: true, name, detail: await run() };
    } catch (error) {
        return { ok: false, name, detail: error instanceof Error ? error.message : String(error) };
    }
}

export async function smoke(outputs: StackOutputs): Promise<CheckResult[]> {
    const results: CheckResult[] = [];
    const paths = Object.keys((JSON.parse(outputs.openApiSchema) as { paths: Record<string, unknown> }).paths);
    for (const path of paths) {
        results.push(await check(`POST ${path} without a token is refused`, async () => {
            const res = await fetch(`${outputs.apiUrl}${path}`, { method: "POST", body: "{}", signal: AbortSignal.timeout(TIMEOUT_MS) });
            const body = await res.text();
            if (res.status !== 401) {
                throw new Error(`expected 401, got ${res.status}: ${body.slice(0, 200)}`);
            }
            return `401 ${body}`;
        }));
    }
    for (const callbackUrl of outputs.callbackUrls) {
        results.push(await check(`authorize accepts ${callbackUrl}`, async () => {
            const url = new URL(outputs.authorizationUrl);
            url.search = new URLSearchParams({ response_type: "code", client_id: outputs.clientId, redirect_uri: callbackUrl, scope: outputs.scope, state: "smoke" }).toString();
            const res = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(TIMEOUT_MS) });
            const location = res.headers.get("location") ?? "";
            const error = location === "" ? null : new URL(location, url).searchParams.get("error");
            if (res.status >= 400 || error !== null) {
                throw new Error(`refused (${res.status}${error === null ? "" : ` ${error}`}): run ${withYamlForm("pulumi config set callbackUrl <url> && pulumi up", 2)}`);
            }
            return `${res.status}${location === "" ? "" : ` → ${new URL(location, url).pathname}`}`;
        }));
    }
    results.push(await check("token endpoint knows the client id and secret", async () => {
        const res = await fetch(outputs.tokenUrl, {
            method: "POST",
            headers: {
                Authorization: `Basic ${Buffer.from(`${encodeURIComponent(outputs.clientId)}:${encodeURIComponent(outputs.clientSecret)}`).toString("base64")}`,
                "Content-Type": "application/x-www-form-urlencoded",
            },
            body: new URLSearchParams({ grant_type: "authorization_code", code: "smoke-test-dummy-code", redirect_uri: outputs.callbackUrls[0] ?? "" }),
            signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        const text = await res.text();
        let error: unknown;
        try {
            error = (JSON.parse(text) as { error?: unknown }).error;
        } catch {
            error = undefined;
        }
        if (error === "invalid_client") {
            throw new Error("invalid_client: the client id or secret is wrong; compare them with pulumi stack output --show-secrets");
        }
        if (error !== "invalid_grant") {
            throw new Error(`expected invalid_grant for a dummy code, got ${res.status}: ${text.slice(0, 200)}`);
        }
        return "invalid_grant for a dummy code, as expected";
    }));
    if (outputs.mcpServerUrl !== undefined) {
        results.push(...await mcpChecks(outputs.mcpServerUrl));
    }
    return results;
}

/** GETs a JSON object, or throws saying what came instead. */
async function getJson(url: string): Promise<Record<string, unknown>> {
    const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    const text = await res.text();
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch {
        value = undefined;
    }
    if (res.status !== 200 || typeof value !== "object" || value === null) {
        throw new Error(`GET ${url}: expected a JSON document, got ${res.status}: ${text.slice(0, 200)}`);
    }
    return value as Record<string, unknown>;
}

/** Where an MCP client looks for an issuer's metadata, in its order (RFC 8414 §3.1, then OIDC Discovery §4). */
function metadataUrls(issuer: string): string[] {
    const url = new URL(issuer);
    const path = url.pathname.replace(/\/+$/, "");
    return path === ""
        ? [`${url.origin}/.well-known/oauth-authorization-server`, `${url.origin}/.well-known/openid-configuration`]
        : [`${url.origin}/.well-known/oauth-authorization-server${path}`, `${url.origin}/.well-known/openid-configuration${path}`, `${url.origin}${path}/.well-known/openid-configuration`];
}

async function mcpChecks(mcpServerUrl: string): Promise<CheckResult[]> {
    const results: CheckResult[] = [];
    let resourceMetadataUrl: string | undefined;
    results.push(await check("the MCP endpoint answers 401 naming its resource metadata", async () => {
        const res = await fetch(mcpServerUrl, {
            method: "POST",
            headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream" },
            body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
            signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        await res.body?.cancel();
        const challenge = res.headers.get("www-authenticate") ?? "";
        resourceMetadataUrl = /resource_metadata="([^"]+)"/.exec(challenge)?.[1];
        if (res.status !== 401 || resourceMetadataUrl === undefined) {
            throw new Error(`expected 401 with WWW-Authenticate: Bearer resource_metadata="…", got ${res.status} with ${JSON.stringify(challenge)}`);
        }
        return `401, ${challenge}`;
    }));
    let authorizationServer: string | undefined;
    results.push(await check("the protected resource metadata names the MCP server", async () => {
        const document = await getJson(resourceMetadataUrl ?? new URL("/.well-known/oauth-protected-resource", mcpServerUrl).toString());
        if (document.resource !== mcpServerUrl) {
            throw new Error(`resource is ${JSON.stringify(document.resource)}, expected ${mcpServerUrl}`);
        }
        const servers = document.authorization_servers;
        authorizationServer = Array.isArray(servers) && typeof servers[0] === "string" ? servers[0] : undefined;
        if (authorizationServer === undefined) {
            throw new Error("authorization_servers is missing");
        }
        return `resource ${mcpServerUrl}, authorization server ${authorizationServer}`;
    }));
    results.push(await check("the authorization server metadata offers PKCE with S256", async () => {
        if (authorizationServer === undefined) {
            throw new Error("no authorization server to look up (see the check above)");
        }
        const problems: string[] = [];
        for (const url of metadataUrls(authorizationServer)) {
            try {
                const methods = (await getJson(url)).code_challenge_methods_supported;
                if (Array.isArray(methods) && methods.includes("S256")) {
                    return `${url} lists S256`;
                }
                problems.push(`${url} does not list S256 in code_challenge_methods_supported`);
            } catch (error) {
                problems.push(error instanceof Error ? error.message : String(error));
            }
        }
        throw new Error(problems.join("; "));
    }));
    return results;
}

async function main(): Promise<number> {
    const results = await smoke(readOutputs(process.argv[2], "smoke"));
    for (const r of results) {
        console.log(`${r.ok ? "✔" : "✘"} ${r.name}: ${r.detail}`);
    }
    const failed = results.filter((r) => !r.ok).length;
    console.log(failed === 0 ? `All ${results.length} checks passed.` : `${failed} of ${results.length} checks failed.`);
    return failed === 0 ? 0 : 1;
}

if (require.main === module) {
    main().then((code) => { process.exitCode = code; }, (error: unknown) => {
        console.error(error instanceof Error ? error.message : error);
        process.exitCode = 1;
    });
}
