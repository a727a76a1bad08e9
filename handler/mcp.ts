/**
 * The MCP surface: `POST /mcp` speaks MCP's Streamable HTTP transport in both eras (MCP 2026-07-28 statelessly,
 * 2025-03-26 to 2025-11-25 through `initialize`; the HTTP side is ./mcpExchange.ts), with JSON responses rather
 * than SSE. It is a tools server: each route of the table is a tool that runs the same operation, with the same
 * validation, as its REST route; it declares prompts and resources and has none of either, and offers no logging or
 * completions. The handler loads this module only for /mcp, so the GPT routes' cold start never pays for it.
 */
import type { APIGatewayProxyResult } from "aws-lambda";
import type { Caller } from "./auth";
import { bodyText, validated } from "./body";
import { isRecord, type Request } from "./event";
import { HttpError } from "./http";
import { callerFields, logCall, logError, type CallOutcome } from "./log";
import { mayCall, type Dispatcher } from "./dispatch";
import { exchange, rpcError, type Era, type RpcRequest } from "./mcpExchange";
import { ErrorCode, LEGACY_VERSIONS, META, RpcFailure, SUPPORTED_VERSIONS } from "./mcpProtocol";
import type { RouteEntry } from "./routes";
import { fileResource, returnsFiles, serverInstructions, toolDefinition, type FileResource, type ReturnedFile, type ToolDefinition } from "./tools";

const SERVER_INFO = { name: "gpt-action", version: "1.0.0" };
/**
 * How long a client may reuse tools/list and server/discover (MCP 2026-07-28, Utilities › Caching): the tools change
 * only with a deploy, and five minutes bounds how long a client keeps calling a tool a deploy removed.
 */
export const LIST_TTL_MS = 300_000;

/**
 * Tools, and prompts and resources of which there are none. Declared with their empty lists because a list is what
 * a 2026-07-28 client caches (Utilities › Caching names prompts/list and resources/list beside tools/list), and a
 * server that answers a feature's methods must declare it (Server › Prompts and Resources › Capabilities).
 */
const CAPABILITIES = { tools: {}, prompts: {}, resources: {} };
/** MCP 2025-11-25, Resources › Error Handling. */
const RESOURCE_NOT_FOUND_2025 = -32002;

/** What a tools/call answers (MCP 2025-11-25 and 2026-07-28, Tools › Tool Result). */
type ToolContent = { readonly type: "text"; readonly text: string } | { readonly type: "resource"; readonly resource: FileResource };
interface ToolResult {
    readonly content: readonly ToolContent[];
    readonly structuredContent?: Record<string, unknown>;
    readonly isError?: true;
}

/** A route's tool definition is derived once, when first listed (a warm Lambda reuses it). */
const toolDefinitions = new WeakMap<RouteEntry, ToolDefinition>();

function toolOf(route: RouteEntry): ToolDefinition {
    let tool = toolDefinitions.get(route);
    if (tool === undefined) {
        tool = toolDefinition(route);
        toolDefinitions.set(route, tool);
    }
    return tool;
}

/** The routes `caller` may call, in table order: the tools they see, and the ones the instructions name. */
function visibleRoutes(app: Dispatcher, caller: Caller): readonly RouteEntry[] {
    return app.routes.filter((route) => mayCall(route, caller));
}

/** Answers one HTTP request to /mcp for an authenticated caller, with `app`'s routes as tools. */
export async function handleMcp(app: Dispatcher, request: Request, caller: Caller, requestId: string): Promise<APIGatewayProxyResult> {
    // Stateless: no stream to open and no session to end (MCP 2026-07-28, Streamable HTTP › Backward Compatibility:
    // GET and DELETE get 405).
    if (request.method !== "POST") {
        return rpcError(405, ErrorCode.InvalidRequest, "Method not allowed: this server is stateless; send JSON-RPC messages with POST.", { Allow: "POST" });
    }
    // MCP 2026-07-28, Streamable HTTP › Security & Endpoint: an invalid Origin gets 403. Valid means allowed by the stack's
    // CORS setting (corsAllowOrigin): "*" allows any; one origin allows that one; CORS off allows no browser.
    const origin = request.headers.origin;
    const allowed = process.env.CORS_ALLOW_ORIGIN;
    if (origin !== undefined && allowed !== "*" && origin !== allowed) {
        return rpcError(403, ErrorCode.InvalidRequest, "Forbidden: this Origin is not allowed (corsAllowOrigin).");
    }
    let text: string | undefined;
    try {
        text = bodyText(request);
    } catch (error) {
        if (HttpError.is(error)) {
            return rpcError(error.statusCode, ErrorCode.InvalidRequest, error.message);
        }
        throw error;
    }
    // RFC 9112 §3.2: a Host with an invalid value gets 400.
    if (!URL.canParse(`https://${request.headers.host ?? "localhost"}/mcp`)) {
        return rpcError(400, ErrorCode.InvalidRequest, "Bad Request: invalid Host header.");
    }
    return exchange((rpc, era) => answer(app, caller, requestId, rpc, era), request.headers, text ?? "");
}

/**
 * One request's result. Modern results say they are complete and who answered (MCP 2026-07-28, Base Protocol ›
 * ResultType and Per-response protocol fields).
 */
async function answer(app: Dispatcher, caller: Caller, requestId: string, request: RpcRequest, era: Era): Promise<Record<string, unknown>> {
    const result = await method(app, caller, requestId, request, era);
    return era === "modern" ? { resultType: "complete", ...result, _meta: { [META.serverInfo]: SERVER_INFO } } : result;
}

async function method(app: Dispatcher, caller: Caller, requestId: string, request: RpcRequest, era: Era): Promise<Record<string, unknown>> {
    const hints = era === "modern" ? cacheHints(app.routes) : {};
    switch (`${era} ${request.method}`) {
        case "modern server/discover":
            // MCP 2026-07-28, Server › Discovery.
            return { supportedVersions: SUPPORTED_VERSIONS, capabilities: CAPABILITIES, instructions: serverInstructions(SERVER_INFO.name, visibleRoutes(app, caller)), ...hints };
        case "legacy initialize":
            return initialized(request, visibleRoutes(app, caller));
        case "legacy ping":
            return {};
    }
    switch (request.method) {
        case "tools/list":
            if (request.params.cursor !== undefined) {
                // Utilities › Pagination: the list fits one page, so no cursor was ever handed out.
                throw new RpcFailure(ErrorCode.InvalidParams, "Invalid params: unknown cursor (tools/list answers in one page)");
            }
            // The tools this caller may call, in route table order, the same on every request (MCP 2026-07-28, Tools ›
            // Listing Tools).
            return { tools: visibleRoutes(app, caller).map(toolOf), ...hints };
        case "tools/call":
            return { ...(await callTool(app, caller, requestId, request.params)) };
        case "prompts/list":
            return { prompts: [], ...hints };
        case "resources/list":
            return { resources: [], ...hints };
        case "resources/templates/list":
            return { resourceTemplates: [], ...hints };
        case "prompts/get":
            // Prompts › Error Handling: an invalid prompt name is -32602.
            throw new RpcFailure(ErrorCode.InvalidParams, "Invalid params: no such prompt (this server has none)");
        case "resources/read":
            // Resources › Error Handling: -32602 with the URI in 2026-07-28; the 2025 revisions used -32002.
            throw new RpcFailure(era === "modern" ? ErrorCode.InvalidParams : RESOURCE_NOT_FOUND_2025, "Resource not found (this server has none)", 200,
                { uri: request.params.uri });
        default:
            // Removed in 2026-07-28 (initialize, ping, logging/setLevel) or not offered (completions, logging, subscriptions).
            throw new RpcFailure(ErrorCode.MethodNotFound, `Method not found: ${request.method.slice(0, 100)}`);
    }
}

/**
 * `public` while every caller sees the same lists, so any cache may share them; `private` once a route is limited
 * to groups, since then what a user sees depends on who they are (Utilities › Caching › Choosing a Cache Scope).
 */
function cacheHints(routes: readonly RouteEntry[]): { ttlMs: number; cacheScope: "public" | "private" } {
    return { ttlMs: LIST_TTL_MS, cacheScope: routes.some((route) => (route.groups ?? []).length > 0) ? "private" : "public" };
}

/** MCP 2025-11-25, Lifecycle › Version Negotiation: a 2025 revision asked for is echoed, anything else gets the latest. */
function initialized(request: RpcRequest, routes: readonly RouteEntry[]): Record<string, unknown> {
    const asked = request.params.protocolVersion;
    if (typeof asked !== "string") {
        throw new RpcFailure(ErrorCode.InvalidParams, "Invalid params: initialize needs a protocolVersion");
    }
    const protocolVersion = (LEGACY_VERSIONS as readonly string[]).includes(asked) ? asked : LEGACY_VERSIONS[0];
    return { protocolVersion, capabilities: CAPABILITIES, serverInfo: SERVER_INFO, instructions: serverInstructions(SERVER_INFO.name, routes) };
}

/**
 * Runs the tool named in `params` as `caller`; a failure the model can correct comes back as the tool's result. Each
 * call of a route writes the audit line, a refused one too.
 */
async function callTool(app: Dispatcher, caller: Caller, requestId: string, params: Readonly<Record<string, unknown>>): Promise<ToolResult> {
    const { name, arguments: args = {} } = params;
    if (typeof name !== "string" || !isRecord(args)) {
        throw new RpcFailure(ErrorCode.InvalidParams, "Invalid params: tools/call needs a tool name and, if any, an arguments object");
    }
    // MCP 2025-11-25 and 2026-07-28, Tools › Error Handling: an unknown tool is a protocol error. A tool the caller
    // may not call is answered the same way, so the answer says nothing of what others can do.
    const unknownTool = new RpcFailure(ErrorCode.InvalidParams, `Unknown tool: ${name.slice(0, 100)}. Call tools/list for the available ones.`);
    const route = app.routes.find((r) => r.operationId === name);
    if (route === undefined) {
        throw unknownTool;
    }
    const started = performance.now();
    const audit = (outcome: CallOutcome) => logCall({
        requestId, surface: "mcp", route: route.operationId, ...callerFields(caller), outcome, latencyMs: Math.round((performance.now() - started) * 100) / 100,
    });
    if (!mayCall(route, caller)) {
        audit("refused");
        throw unknownTool;
    }
    let body: unknown;
    try {
        body = route.request === undefined ? undefined : validated(route.request, args, "The arguments do not match the tool's input schema");
    } catch (error) {
        if (HttpError.is(error)) {
            audit("invalid");
            return failure(error.message);
        }
        throw error;
    }
    try {
        const result = toolResult(route, await app.run(route.operationId, { body, caller, requestId }));
        audit("ok");
        return result;
    } catch (error) {
        // A tool execution error goes back as a result the model can read and correct its call from.
        // The operation may come from the other bundle file, with its own copy of the class.
        if (HttpError.is(error)) {
            audit("failed");
            return failure(error.message);
        }
        logError(requestId, route.operationId, error);
        audit("error");
        return failure(`Something went wrong on our side; quote request id ${requestId} when reporting it.`);
    }
}

/**
 * A result as structured content plus its JSON as text (Tools › Structured Content), or, for files, one embedded
 * resource each: a text file's text for the model to read, a binary file's bytes (./tools.ts).
 */
function toolResult(route: RouteEntry, value: unknown): ToolResult {
    if (returnsFiles(route)) {
        const files = (value as { openaiFileResponse: ReturnedFile[] }).openaiFileResponse;
        return {
            content: [
                { type: "text", text: `${files.length} file(s): ${files.map((f) => `${f.name} (${f.mime_type})`).join(", ")}` },
                ...files.map((file) => ({ type: "resource" as const, resource: fileResource(SERVER_INFO.name, route.operationId, file) })),
            ],
        };
    }
    return { structuredContent: value as Record<string, unknown>, content: [{ type: "text", text: JSON.stringify(value) }] };
}

function failure(message: string): ToolResult {
    return { isError: true, content: [{ type: "text", text: message }] };
}
