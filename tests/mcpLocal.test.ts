/**
 * The MCP surface end to end in local mode: the official SDK client walks the OAuth chain the way ChatGPT does
 * (401 → RFC 9728 metadata → RFC 8414 metadata → authorize with PKCE and RFC 8707 `resource` → login → token) and
 * uses every tool of the route table; then the endpoint and the OAuth server are attacked.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import type { FetchLike } from "@modelcontextprotocol/sdk/shared/transport.js";
import { expect } from "chai";
import { createHash, randomBytes } from "node:crypto";
import { decodeJwt } from "jose";
import * as z from "zod/mini";
import { routeList } from "../handler/routes";
import { objectSchema, returnsFiles, serverInstructions, toolAnnotations } from "../handler/tools";
import { facadeUrls } from "../handler/facade/paths";
import { bearerChallenge, MCP_METADATA_PATHS, mcpScope, protectedResourceMetadataUrl } from "../infra/mcpMetadata";
import { startLocal, type LocalServer } from "../local/server";
import { StaticClientProvider } from "./mcpOAuthProvider";
import { exampleArguments, expectToolResult, operationOutcome } from "./toolExamples";
import { mcpTokens, signIn } from "./signIn";
import { LOCAL_STACK_FILE, clearHandlerEnv, silenceLogs } from "./localMode";

const HOUR_MS = 3600 * 1000;

/** What one request of the client was: enough to check the order of the OAuth chain, never a secret. */
interface Seen {
    readonly method: string;
    readonly url: string;
    readonly status: number;
    /** For token requests: the grant type and the RFC 8707 resource. */
    readonly grant?: { readonly grantType: string | null; readonly resource: string | null };
}

let restoreLogs = (): void => undefined;
/** After startLocal, which takes over the log sink to batch lines to stdout. */
function quiet(): void {
    restoreLogs = silenceLogs();
}
async function stop(local: LocalServer | undefined): Promise<void> {
    restoreLogs();
    await local?.close();
    clearHandlerEnv();
}

const pkce = () => {
    const verifier = randomBytes(32).toString("base64url");
    return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
};
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;

describe("MCP in local mode", function () {
    this.timeout(20_000);
    let local: LocalServer;
    let now = Date.now();
    let mcpUrl: string;
    let scope: string;

    before(async () => {
        local = await startLocal({ port: 0, stackFile: LOCAL_STACK_FILE, clock: () => now });
        quiet();
        mcpUrl = local.outputs.mcpServerUrl ?? "";
        scope = mcpScope(local.outputs.apiUrl);
    });
    after(() => stop(local));
    afterEach(() => {
        now = Date.now();
    });

    const user = () => local.outputs.testUser;
    const facade = () => facadeUrls(local.outputs.apiUrl);
    const mcpClient = () => ({ client_id: local.outputs.mcpClientId ?? "", client_secret: local.outputs.mcpClientSecret });

    /** An authorize URL of the MCP client with PKCE, the MCP scope and the MCP resource, with `changes` applied. */
    function mcpAuthorizeUrl(challenge: string, changes: Record<string, string | undefined> = {}): URL {
        // Through the OAuth facade, as every MCP client signs in: at Cognito, its one callback is the facade's.
        const url = new URL(facade().authorize);
        const params: Record<string, string | undefined> = {
            response_type: "code", client_id: local.outputs.mcpClientId, redirect_uri: local.outputs.mcpCallbackUrls?.[0], scope, state: "s",
            code_challenge: challenge, code_challenge_method: "S256", resource: mcpUrl, ...changes,
        };
        for (const [key, value] of Object.entries(params)) {
            if (value !== undefined) {
                url.searchParams.set(key, value);
            }
        }
        return url;
    }

    /** A token request of the MCP client (at the facade, by default) or of the GPT client (at Cognito). */
    const tokenRequest = (fields: Record<string, string>, id = local.outputs.mcpClientId ?? "", secret = local.outputs.mcpClientSecret ?? "") =>
        fetch(id === local.outputs.mcpClientId ? facade().token : local.outputs.tokenUrl, { method: "POST", headers: { Authorization: basic(id, secret) }, body: new URLSearchParams(fields) });

    /** The MCP client's tokens, through the hosted UI with PKCE and `resource`, by plain HTTP. */
    const mcpSignIn = () => mcpTokens(local.outputs, scope);

    /** The GPT Action client's access token (scope openid). */
    async function gptToken(): Promise<string> {
        const url = new URL(local.outputs.authorizationUrl);
        url.search = new URLSearchParams({ response_type: "code", client_id: local.outputs.clientId, redirect_uri: local.outputs.callbackUrls[0], scope: "openid", state: "s" }).toString();
        const back = await signIn(url, user());
        const res = await tokenRequest({ grant_type: "authorization_code", code: back.searchParams.get("code") ?? "", redirect_uri: local.outputs.callbackUrls[0] },
            local.outputs.clientId, local.outputs.clientSecret);
        return ((await res.json()) as { access_token: string }).access_token;
    }

    /** A raw JSON-RPC POST to /mcp, as a Streamable HTTP client sends it. */
    const rpc = (token: string | undefined, body: string, headers: Record<string, string> = {}) => fetch(mcpUrl, {
        method: "POST",
        headers: {
            ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
            "Content-Type": "application/json",
            Accept: "application/json, text/event-stream",
            ...headers,
        },
        body,
    });
    const request = (method: string, params: Record<string, unknown> = {}) => JSON.stringify({ jsonrpc: "2.0", id: 1, method, params });

    describe("the official client does what ChatGPT does", () => {
        it("starts from the MCP URL alone: discovery, sign-in with PKCE and resource, every tool, a refresh, and again", async function () {
            const seen: Seen[] = [];
            const recording: FetchLike = async (url, init) => {
                const res = await fetch(url, init);
                const body = init?.body;
                const form = body instanceof URLSearchParams ? body : undefined;
                seen.push({
                    method: init?.method ?? "GET",
                    url: String(url),
                    status: res.status,
                    ...(String(url) === facade().token && form !== undefined ? { grant: { grantType: form.get("grant_type"), resource: form.get("resource") } } : {}),
                });
                return res;
            };
            const provider = new StaticClientProvider(mcpClient(), local.outputs.mcpCallbackUrls?.[0] ?? "", (url) => signIn(url, user()));
            const transport = () => new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider, fetch: recording });

            // 1. Nothing but the URL: the first request is refused, and the SDK sends the user to sign in.
            const first = transport();
            let refused: unknown;
            try {
                await new Client({ name: "tests", version: "1.0.0" }).connect(first);
            } catch (error) {
                refused = error;
            }
            expect(refused).to.be.instanceOf(UnauthorizedError);
            const ok = seen.filter((s) => s.status === 200).map((s) => `${s.method} ${s.url}`);
            expect(seen[0]).to.include({ method: "POST", url: mcpUrl, status: 401 });
            expect(ok[0], "then the protected resource metadata the 401 names").to.equal(`GET ${protectedResourceMetadataUrl(local.outputs.apiUrl)}`);
            expect(ok[1], "then the authorization server metadata under the API's issuer").to.equal(`GET ${local.outputs.apiUrl}${MCP_METADATA_PATHS.authorizationServer[1]}`);
            expect(provider.authorizationUrls).to.have.lengthOf(1);
            const authorize = provider.authorizationUrls[0];
            // The metadata sends MCP clients, static ones too, to the OAuth facade, which answers with `iss` (RFC 9207).
            expect(`${authorize.origin}${authorize.pathname}`).to.equal(facade().authorize);
            expect(provider.issuers, "the authorization response's iss is the metadata's issuer").to.deep.equal([local.outputs.apiUrl]);
            expect(Object.fromEntries(authorize.searchParams)).to.include({
                response_type: "code", client_id: local.outputs.mcpClientId, code_challenge_method: "S256", resource: mcpUrl, scope,
            });
            expect(authorize.searchParams.get("code_challenge")).to.match(/^[A-Za-z0-9_-]{43}$/);

            // 2. The code from the callback, exchanged with the verifier and the resource.
            expect(provider.code).to.be.a("string");
            await first.finishAuth(provider.code ?? "");
            expect(seen.at(-1)).to.deep.include({ method: "POST", url: facade().token, status: 200, grant: { grantType: "authorization_code", resource: mcpUrl } });
            const access = decodeJwt(provider.tokens()?.access_token ?? "");
            expect(access).to.include({ client_id: local.outputs.mcpClientId, scope, aud: mcpUrl, token_use: "access" });

            // 3. Connected: initialize, then the tools of the route table.
            const client = new Client({ name: "tests", version: "1.0.0" });
            const connected = transport();
            await client.connect(connected);
            expect(connected.protocolVersion).to.be.a("string");
            const routes = routeList();
            expect(client.getInstructions(), "the server's instructions, from the route table").to.equal(serverInstructions("gpt-action", routes));
            const { tools } = await client.listTools();
            expect(tools.map((t) => t.name)).to.have.members(routes.map((r) => r.operationId));
            for (const route of routes) {
                const tool = tools.find((t) => t.name === route.operationId);
                const hints = toolAnnotations(route);
                expect(tool?.title, route.operationId).to.equal(hints.title);
                expect(tool?.description, route.operationId).to.include(route.summary).and.include(route.description);
                expect(tool?.annotations, route.operationId).to.deep.equal({ ...hints });
                expect(tool?.inputSchema, route.operationId).to.deep.equal(route.request === undefined
                    ? { type: "object", properties: {}, additionalProperties: false }
                    : objectSchema(route.request, "input"));
                expect(tool?.outputSchema, route.operationId).to.deep.equal(returnsFiles(route) ? undefined : objectSchema(route.response.schema, "output"));
            }

            // 4. Every tool, its result compared with what the operation itself returns for the same arguments.
            const callEvery = async () => {
                for (const route of routes) {
                    const args = exampleArguments(route);
                    const result = await client.callTool({ name: route.operationId, arguments: args });
                    const outcome = await operationOutcome(route, args, { sub: String(access.sub), username: String(access.username), scopes: [scope] });
                    if (!expectToolResult(route, result, outcome)) {
                        continue;
                    }
                    const expected = outcome.value;
                    if (returnsFiles(route)) {
                        const files = (expected as { openaiFileResponse: Array<{ mime_type: string; content: string }> }).openaiFileResponse;
                        const resources = (result.content as Array<{ type: string; resource?: { mimeType?: string; text?: string; blob?: string } }>).filter((c) => c.type === "resource");
                        expect(resources.map((r) => r.resource?.mimeType), route.operationId).to.deep.equal(files.map((f) => f.mime_type));
                        // A text file reaches the model as text, a binary one as base64: either way the REST route's bytes.
                        expect(resources.map((r) => r.resource?.text === undefined ? r.resource?.blob : Buffer.from(r.resource.text).toString("base64")), route.operationId)
                            .to.deep.equal(files.map((f) => f.content));
                        for (const resource of resources.filter((r) => r.resource?.mimeType === "text/csv")) {
                            expect(resource.resource, "a CSV file comes as text").to.have.property("text").that.is.a("string");
                            const csv = (resource.resource?.text ?? "").trim().split(/\r?\n/);
                            expect(csv.length, "a header and rows").to.be.greaterThan(1);
                            expect(csv.every((line) => line.split(",").length === csv[0].split(",").length), "rectangular CSV").to.be.true;
                        }
                        if (route.operationId === "getSalesReport") {
                            // Issue 22: the report's rows are in the result the model reads, as the SDK client parsed it.
                            const [first] = resources;
                            expect(first.resource?.text, "the report's header").to.match(/^month,region,product,units,revenue_usd\r\n/);
                            expect(first.resource?.text, "a row of the report").to.match(new RegExp(`\\r\\n${String(args.month)},[A-Z]+,Basic,\\d+,\\d+\\r\\n`));
                        }
                    } else {
                        expect(result.structuredContent, route.operationId).to.deep.equal(expected);
                        expect(JSON.parse((result.content as Array<{ text: string }>)[0].text), route.operationId).to.deep.equal(expected);
                    }
                }
            };
            await callEvery();
            expect(routes.some(returnsFiles) ? tools.some((t) => t.outputSchema === undefined) : true).to.be.true;

            // 5. An hour later the access token has expired: the 401 makes the SDK refresh (with the resource) and retry.
            const before = provider.tokens()?.access_token;
            now += HOUR_MS + 1000;
            await callEvery();
            expect(seen.some((s) => s.grant?.grantType === "refresh_token" && s.grant.resource === mcpUrl && s.status === 200), "refreshed").to.be.true;
            expect(provider.tokens()?.access_token).to.not.equal(before);
            expect(decodeJwt(provider.tokens()?.access_token ?? "")).to.include({ aud: mcpUrl, scope, client_id: local.outputs.mcpClientId });
            await client.close();
        });
    });

    describe("discovery documents", () => {
        it("serves each metadata document at every path, without a token, to any origin", async () => {
            for (const documentPath of [...MCP_METADATA_PATHS.protectedResource, ...MCP_METADATA_PATHS.authorizationServer]) {
                const res = await fetch(`${local.outputs.apiUrl}${documentPath}`);
                expect(res.status, documentPath).to.equal(200);
                expect(res.headers.get("access-control-allow-origin"), documentPath).to.equal("*");
                expect(res.headers.get("content-type"), documentPath).to.equal("application/json");
                const document = await res.json() as Record<string, unknown>;
                if ((MCP_METADATA_PATHS.protectedResource as readonly string[]).includes(documentPath)) {
                    expect(document).to.deep.include({ resource: mcpUrl, authorization_servers: [local.outputs.apiUrl], scopes_supported: [scope] });
                } else {
                    expect(document).to.deep.include({
                        issuer: local.outputs.apiUrl,
                        authorization_endpoint: facade().authorize,
                        token_endpoint: facade().token,
                        revocation_endpoint: facade().revoke,
                        authorization_response_iss_parameter_supported: true,
                        client_id_metadata_document_supported: true,
                        code_challenge_methods_supported: ["S256"],
                    });
                    // The endpoints it names answer.
                    const jwks = await fetch(String(document.jwks_uri));
                    expect(jwks.status).to.equal(200);
                }
            }
        });

        it("answers the CORS preflight of /mcp for POST, with the MCP headers allowed", async () => {
            const res = await fetch(mcpUrl, { method: "OPTIONS" });
            expect(res.status).to.equal(200);
            expect(res.headers.get("access-control-allow-methods")).to.equal("POST,OPTIONS");
            // A 2026-07-28 browser client sends Mcp-Method and Mcp-Name on every request; a preflight without them fails it.
            expect(res.headers.get("access-control-allow-headers")?.split(",")).to.include.members(["Authorization", "Mcp-Protocol-Version", "Mcp-Method", "Mcp-Name"]);
        });

        it("has no other method on them", async () => {
            const res = await fetch(`${local.outputs.apiUrl}${MCP_METADATA_PATHS.protectedResource[0]}`, { method: "POST" });
            expect(res.status).to.equal(403);
        });
    });

    describe("attacks on /mcp", () => {
        let token: string;
        before(async () => {
            token = (await mcpSignIn()).access_token;
        });

        const expectChallenge = async (res: Response) => {
            expect(res.status).to.equal(401);
            expect(res.headers.get("www-authenticate")).to.equal(bearerChallenge(local.outputs.apiUrl, scope));
            expect(res.headers.get("www-authenticate")).to.include(`resource_metadata="${protectedResourceMetadataUrl(local.outputs.apiUrl)}"`);
            // The fixture stack keeps CORS on (corsAllowOrigin "*"), so a browser-based client may read the challenge.
            expect(res.headers.get("access-control-expose-headers")).to.equal("WWW-Authenticate");
            expect(await res.json()).to.deep.equal({ message: "Unauthorized" });
        };

        it("refuses no token with 401 and the challenge naming the resource metadata", async () => {
            await expectChallenge(await rpc(undefined, request("tools/list")));
        });

        it("refuses the GPT Action client's token at the gateway: it lacks the MCP scope", async () => {
            await expectChallenge(await rpc(await gptToken(), request("tools/list")));
        });

        it("refuses an MCP token at a GPT route", async () => {
            const route = routeList()[0];
            const res = await fetch(`${local.outputs.apiUrl}${route.path}`, {
                method: route.method, headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body: "{}",
            });
            expect(res.status).to.be.oneOf([401, 403]);
        });

        it("refuses a token without the MCP scope, and one of another client that holds it", async () => {
            const claims = decodeJwt(token);
            await expectChallenge(await rpc(await local.authority.sign({ ...claims, scope: "openid" }), request("tools/list")));
            // Past the gateway, the handler checks the client: the GPT client can never hold this scope, but if it did…
            const other = await rpc(await local.authority.sign({ ...claims, client_id: local.outputs.clientId }), request("tools/list"));
            expect(other.status).to.equal(403);
        });

        it("answers invalid tool arguments with isError and the field-level message", async () => {
            const withRequired = routeList().filter((r) => r.request !== undefined && (objectSchema(r.request, "input").required as unknown[] | undefined)?.length);
            expect(withRequired, "a route with a required argument to test with").to.not.be.empty;
            for (const route of withRequired) {
                const required = objectSchema(route.request ?? z.object({}), "input").required as string[];
                const res = await rpc(token, request("tools/call", { name: route.operationId, arguments: {} }));
                expect(res.status).to.equal(200);
                const { result } = await res.json() as { result: { isError: boolean; content: Array<{ text: string }> } };
                expect(result.isError).to.be.true;
                expect(result.content[0].text).to.include(`${required[0]}: expected`);
            }
        });

        it("answers an unknown tool with JSON-RPC error -32602", async () => {
            const res = await rpc(token, request("tools/call", { name: "noSuchTool", arguments: {} }));
            const body = await res.json() as { error?: { code: number } };
            expect(body.error?.code).to.equal(-32602);
        });

        it("answers a body that is not JSON with a parse error (-32700), a 4xx", async () => {
            const res = await rpc(token, "{not json");
            expect(res.status).to.be.within(400, 499);
            expect(await res.json()).to.have.nested.property("error.code", -32700);
        });

        it("answers a JSON-RPC batch with JSON-RPC, never a 5xx", async () => {
            const res = await rpc(token, JSON.stringify([JSON.parse(request("tools/list")), { ...JSON.parse(request("ping")), id: 2 }]));
            expect(res.status).to.be.below(500);
            const body: unknown = await res.json();
            const messages: unknown[] = Array.isArray(body) ? body : [body];
            expect(messages).to.not.be.empty;
            for (const message of messages) {
                expect(message).to.have.property("jsonrpc", "2.0");
            }
        });

        it("answers a body over the handler's 100,000 characters with 413 and a JSON-RPC error", async () => {
            const res = await rpc(token, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping", params: { pad: "x".repeat(100_000) } }));
            expect(res.status).to.equal(413);
            expect(await res.json()).to.have.nested.property("error.code");
        });

        it("answers a body over API Gateway's 10 MiB with the gateway's 413", async () => {
            const res = await rpc(token, "x".repeat(10 * 1024 * 1024 + 1));
            expect(res.status).to.equal(413);
            expect(await res.json()).to.deep.equal({ message: "Request Too Long" });
        });

        it("answers GET with 405 and Allow: POST (stateless: no stream to open)", async () => {
            const res = await fetch(mcpUrl, { headers: { Authorization: `Bearer ${token}`, Accept: "text/event-stream" } });
            expect(res.status).to.equal(405);
            expect(res.headers.get("allow")).to.equal("POST");
        });

        it("refuses an unsupported MCP-Protocol-Version header with 400", async () => {
            const res = await rpc(token, request("tools/list"), { "MCP-Protocol-Version": "1999-01-01" });
            expect(res.status).to.equal(400);
        });

        for (const version of ["2025-06-18", "2025-11-25"]) {
            it(`negotiates protocol version ${version} on initialize`, async () => {
                const res = await rpc(token, request("initialize", { protocolVersion: version, capabilities: {}, clientInfo: { name: "tests", version: "1.0.0" } }));
                expect(res.status).to.equal(200);
                expect(await res.json()).to.have.nested.property("result.protocolVersion", version);
                const next = await rpc(token, request("tools/list"), { "MCP-Protocol-Version": version });
                expect(next.status).to.equal(200);
            });
        }
    });

    describe("the OAuth server's rules for the MCP client", () => {
        const refusal = async (url: URL) => {
            const res = await fetch(url, { redirect: "manual" });
            expect(res.status).to.equal(302);
            return new URL(res.headers.get("location") ?? "").searchParams;
        };

        it("refuses an authorization request without PKCE (invalid_request)", async () => {
            const back = await refusal(mcpAuthorizeUrl("", { code_challenge: undefined, code_challenge_method: undefined }));
            expect(back.get("error")).to.equal("invalid_request");
            expect(back.get("state")).to.equal("s");
        });

        it("refuses a code_verifier for a code issued without a challenge (RFC 9700 §2.1.1, PKCE downgrade)", async () => {
            const url = new URL(local.outputs.authorizationUrl);
            url.search = new URLSearchParams({ response_type: "code", client_id: local.outputs.clientId, redirect_uri: local.outputs.callbackUrls[0], scope: "openid", state: "s" }).toString();
            const back = await signIn(url, user());
            const res = await tokenRequest({ grant_type: "authorization_code", code: back.searchParams.get("code") ?? "", redirect_uri: local.outputs.callbackUrls[0], code_verifier: pkce().verifier },
                local.outputs.clientId, local.outputs.clientSecret);
            expect(res.status).to.equal(400);
            expect(await res.json()).to.include({ error: "invalid_grant" });
        });

        it("refuses a resource other than the MCP server (invalid_target), on authorize and token requests", async () => {
            const { verifier, challenge } = pkce();
            for (const resource of [`${mcpUrl}/other`, local.outputs.apiUrl, "https://evil.example/mcp"]) {
                expect((await refusal(mcpAuthorizeUrl(challenge, { resource }))).get("error"), resource).to.equal("invalid_target");
            }
            const back = await signIn(mcpAuthorizeUrl(challenge), user());
            const res = await tokenRequest({
                grant_type: "authorization_code", code: back.searchParams.get("code") ?? "", redirect_uri: local.outputs.mcpCallbackUrls?.[0] ?? "",
                code_verifier: verifier, resource: "https://evil.example/mcp",
            });
            expect(res.status).to.equal(400);
            expect(await res.json()).to.include({ error: "invalid_target" });
            const refresh = await tokenRequest({ grant_type: "refresh_token", refresh_token: (await mcpSignIn()).refresh_token, resource: "https://evil.example/mcp" });
            expect(await refresh.json()).to.include({ error: "invalid_target" });
        });

        it("gives each client only its own scopes (invalid_scope)", async () => {
            const { challenge } = pkce();
            expect((await refusal(mcpAuthorizeUrl(challenge, { scope: "openid" }))).get("error")).to.equal("invalid_scope");
            const gpt = new URL(local.outputs.authorizationUrl);
            gpt.search = new URLSearchParams({ response_type: "code", client_id: local.outputs.clientId, redirect_uri: local.outputs.callbackUrls[0], scope }).toString();
            expect((await refusal(gpt)).get("error")).to.equal("invalid_scope");
        });

        it("refuses a code or refresh token of one client to the other, and revocation of another client's token", async () => {
            const tokens = await mcpSignIn();
            const asGpt = (fields: Record<string, string>, endpoint = local.outputs.tokenUrl) => fetch(endpoint, {
                method: "POST", headers: { Authorization: basic(local.outputs.clientId, local.outputs.clientSecret) }, body: new URLSearchParams(fields),
            });
            expect(await (await asGpt({ grant_type: "refresh_token", refresh_token: tokens.refresh_token })).json()).to.include({ error: "invalid_grant" });
            const revoke = await asGpt({ token: tokens.refresh_token }, `${local.baseUrl}/oauth2/revoke`);
            expect(revoke.status).to.equal(400);
            // Still valid for its own client.
            expect((await tokenRequest({ grant_type: "refresh_token", refresh_token: tokens.refresh_token })).status).to.equal(200);
        });
    });
});

describe("MCP in local mode, with a public MCP client", function () {
    this.timeout(20_000);
    let local: LocalServer | undefined;
    before(async () => {
        local = await startLocal({ port: 0, stackFile: LOCAL_STACK_FILE, config: { mcpPublicClient: "true" } });
        quiet();
    });
    after(() => stop(local));

    it("has no secret, and the SDK client signs in with PKCE alone (token_endpoint_auth_method none)", async () => {
        const outputs = local?.outputs;
        expect(outputs).to.not.have.property("mcpClientSecret");
        const mcpUrl = outputs?.mcpServerUrl ?? "";
        const provider = new StaticClientProvider({ client_id: outputs?.mcpClientId ?? "" }, outputs?.mcpCallbackUrls?.[0] ?? "", (url) => signIn(url, outputs?.testUser ?? { username: "", password: "" }));
        // The code goes back through the transport that met the 401: it knows the resource metadata, hence the
        // issuer. A fresh one would guess the metadata at the host's root, where nothing is served (as on AWS).
        const first = new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider });
        try {
            await new Client({ name: "tests", version: "1.0.0" }).connect(first);
        } catch (error) {
            expect(error).to.be.instanceOf(UnauthorizedError);
        }
        await first.finishAuth(provider.code ?? "");
        const client = new Client({ name: "tests", version: "1.0.0" });
        await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider }));
        expect((await client.listTools()).tools.map((t) => t.name)).to.have.members(routeList().map((r) => r.operationId));
        await client.close();
        // A secret that a public client does not have is refused.
        const res = await fetch(outputs?.tokenUrl ?? "", {
            method: "POST", headers: { Authorization: basic(outputs?.mcpClientId ?? "", "guessed") }, body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: "x" }),
        });
        expect(await res.json()).to.include({ error: "invalid_client" });
    });
});

describe("local mode with mcp false", function () {
    this.timeout(20_000);
    let local: LocalServer | undefined;
    before(async () => {
        local = await startLocal({ port: 0, stackFile: LOCAL_STACK_FILE, config: { mcp: "false" } });
        quiet();
    });
    after(() => stop(local));

    it("has no /mcp, no metadata, no MCP outputs, and a plain Bearer challenge", async () => {
        const apiUrl = local?.outputs.apiUrl ?? "";
        expect(local?.outputs).to.not.have.any.keys("mcpServerUrl", "mcpClientId", "mcpClientSecret", "mcpCallbackUrls");
        expect(process.env.MCP_CLIENT_ID).to.equal(undefined);
        const mcp = await fetch(`${apiUrl}/mcp`, { method: "POST", body: "{}" });
        expect(mcp.status).to.equal(403);
        expect(await mcp.json()).to.deep.equal({ message: "Missing Authentication Token" });
        for (const documentPath of [...MCP_METADATA_PATHS.protectedResource, ...MCP_METADATA_PATHS.authorizationServer]) {
            expect((await fetch(`${apiUrl}${documentPath}`)).status, documentPath).to.equal(403);
        }
        const route = routeList()[0];
        const refused = await fetch(`${apiUrl}${route.path}`, { method: route.method, body: "{}" });
        expect(refused.status).to.equal(401);
        expect(refused.headers.get("www-authenticate")).to.equal("Bearer");
    });
});
