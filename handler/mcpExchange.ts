/**
 * One POST to /mcp as MCP's Streamable HTTP transport has it, for a stateless server that answers in JSON, in both
 * eras (MCP 2026-07-28, Streamable HTTP › Backward Compatibility): a modern request stands alone, its version and
 * capabilities in `_meta` and mirrored in headers that must agree with the body; a legacy one (2025-03-26 to
 * 2025-11-25) follows `initialize`, as those revisions' transport has it. HTTP and JSON-RPC rules here; the
 * methods in ./mcp.ts.
 */
import { isRecord } from "./event";
import {
    asMessage,
    decodedHeaderValue,
    ErrorCode,
    eraOf,
    headerMismatch,
    isModernVersion,
    isRequestId,
    isResponse,
    LEGACY_VERSIONS,
    META,
    metaOf,
    MODERN_VERSIONS,
    RpcFailure,
    unsupportedVersion,
    type RequestId,
    type RpcErrorBody,
    type RpcMessage,
} from "./mcpProtocol";

export interface HttpAnswer {
    readonly statusCode: number;
    readonly headers: Record<string, string>;
    readonly body: string;
}

export type Era = "modern" | "legacy";

/** A request with its id, as the methods receive it. */
export type RpcRequest = RpcMessage & { readonly id: RequestId };

/** Answers one request of `era` with its result; an RpcFailure is a JSON-RPC error. */
export type Answerer = (request: RpcRequest, era: Era) => Promise<Record<string, unknown>>;

/** The SDKs' bound on messages in one (legacy) batch. */
const MAX_BATCH_SIZE = 100;
const JSON_MEDIA_TYPE = /^application\/json\s*(?:;|$)/i;
/** Methods whose target the Mcp-Name header mirrors, and the body field it mirrors (Streamable HTTP › Standard Request Headers). */
const NAMED_METHODS: Readonly<Record<string, string>> = { "tools/call": "name", "prompts/get": "name", "resources/read": "uri" };

/** A JSON-RPC error as the whole HTTP answer; `id` null when no request could be read. */
export function rpcError(statusCode: number, code: number, message: string, headers: Record<string, string> = {}, id: RequestId | null = null, data?: unknown): HttpAnswer {
    const error: RpcErrorBody = data === undefined ? { code, message } : { code, message, data };
    return json(statusCode, { jsonrpc: "2.0", id, error }, headers);
}

function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpAnswer {
    return { statusCode, headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(body) };
}

const ACCEPTED: HttpAnswer = { statusCode: 202, headers: {}, body: "" };

/** Answers the POSTed body. `headers` have lower-case names. */
export async function exchange(answer: Answerer, headers: Readonly<Record<string, string>>, body: string): Promise<HttpAnswer> {
    // Streamable HTTP › Sending Messages: the client lists both types it can take.
    const accept = headers.accept ?? "";
    if (!accept.includes("application/json") || !accept.includes("text/event-stream")) {
        return rpcError(406, ErrorCode.InvalidRequest, "Not Acceptable: the Accept header must list both application/json and text/event-stream");
    }
    if (!JSON_MEDIA_TYPE.test(headers["content-type"] ?? "")) {
        return rpcError(415, ErrorCode.InvalidRequest, "Unsupported Media Type: Content-Type must be application/json");
    }
    let raw: unknown;
    try {
        raw = JSON.parse(body);
    } catch {
        return rpcError(400, ErrorCode.ParseError, "Parse error: the body is not JSON");
    }
    if (Array.isArray(raw)) {
        return batch(answer, headers, raw);
    }
    const message = asMessage(raw);
    if (message === undefined) {
        // A response to a request this server never sends is accepted and dropped, as the 2025 transport has it.
        return isResponse(raw) ? ACCEPTED : rpcError(400, ErrorCode.InvalidRequest, "Invalid Request: the body is not a JSON-RPC request or notification", {}, idOf(raw));
    }
    const era = eraOf(message, headers["mcp-protocol-version"]);
    const problem = era === "modern" ? modernProblem(message, headers) : legacyProblem(message, headers);
    if (problem !== undefined) {
        return rpcError(problem.status, problem.code, problem.message, {}, message.id ?? null, problem.data);
    }
    if (message.id === undefined) {
        // Notifications: a stateless server has nothing to do with them (2026-07-28 defines none over HTTP).
        return ACCEPTED;
    }
    const outcome = await settle(answer, { ...message, id: message.id }, era);
    if ("error" in outcome) {
        // Streamable HTTP › Protocol Version Header: on the modern path an unknown method is also a 404.
        const status = era === "modern" && outcome.error.code === ErrorCode.MethodNotFound ? 404 : outcome.status;
        return json(status, { jsonrpc: "2.0", id: message.id, error: outcome.error });
    }
    return json(200, { jsonrpc: "2.0", id: message.id, result: outcome.result });
}

type Outcome = { readonly result: Record<string, unknown> } | { readonly error: RpcErrorBody; readonly status: number };

async function settle(answer: Answerer, request: RpcRequest, era: Era): Promise<Outcome> {
    try {
        return { result: await answer(request, era) };
    } catch (error) {
        if (error instanceof RpcFailure) {
            return { error: error.body, status: error.status };
        }
        // ./mcp.ts logs and converts its own failures; anything else is still answered, never a 5xx.
        return { error: { code: ErrorCode.InternalError, message: "Internal error" }, status: 200 };
    }
}

/**
 * What makes a modern request malformed, in the order a client can fix it: the required `_meta` fields (Base
 * Protocol › `_meta`: -32602 with 400), the version header against the body and the versions served (Streamable
 * HTTP › Protocol Version Header: -32020 or -32022 with 400), then Mcp-Method and Mcp-Name against the body
 * (Server Validation: -32020 with 400).
 */
function modernProblem(message: RpcMessage, headers: Readonly<Record<string, string>>): RpcFailure | undefined {
    const meta = metaOf(message);
    const claimed = meta?.[META.protocolVersion];
    const missing = [
        ...(typeof claimed === "string" ? [] : [META.protocolVersion]),
        ...(isRecord(meta?.[META.clientCapabilities]) ? [] : [META.clientCapabilities]),
    ];
    const headerVersion = headers["mcp-protocol-version"];
    if (message.id === undefined) {
        // 2026-07-28 defines no notifications over HTTP, nor header rules for them: only a header that contradicts
        // the body is refused.
        return headerVersion !== undefined && typeof claimed === "string" && headerVersion !== claimed
            ? headerMismatch(`MCP-Protocol-Version header ${quoted(headerVersion)} does not match _meta's ${quoted(claimed)}`)
            : undefined;
    }
    if (missing.length > 0) {
        return new RpcFailure(ErrorCode.InvalidParams, `Invalid params: _meta must carry ${missing.join(" and ")} (MCP 2026-07-28 requests carry them on every request)`, 400);
    }
    const clientInfo = meta?.[META.clientInfo];
    if (clientInfo !== undefined && !(isRecord(clientInfo) && typeof clientInfo.name === "string" && typeof clientInfo.version === "string")) {
        return new RpcFailure(ErrorCode.InvalidParams, `Invalid params: _meta's ${META.clientInfo} must be an object with a name and a version`, 400);
    }
    if (headerVersion === undefined) {
        return headerMismatch("the MCP-Protocol-Version header is missing");
    }
    if (typeof claimed === "string" && headerVersion !== claimed) {
        return headerMismatch(`MCP-Protocol-Version header ${quoted(headerVersion)} does not match _meta's ${quoted(claimed)}`);
    }
    if (!(MODERN_VERSIONS as readonly string[]).includes(headerVersion)) {
        return unsupportedVersion(headerVersion);
    }
    const methodHeader = headers["mcp-method"];
    if (methodHeader !== message.method) {
        return headerMismatch(methodHeader === undefined ? "the Mcp-Method header is missing" : `Mcp-Method header ${quoted(methodHeader)} does not match the body's method ${quoted(message.method)}`);
    }
    const nameField = NAMED_METHODS[message.method];
    const name = nameField === undefined ? undefined : message.params[nameField];
    if (typeof name === "string") {
        const nameHeader = headers["mcp-name"];
        if (nameHeader === undefined) {
            return headerMismatch("the Mcp-Name header is missing");
        }
        if (decodedHeaderValue(nameHeader) !== name) {
            return headerMismatch(`Mcp-Name header ${quoted(nameHeader)} does not match the body's params.${nameField}`);
        }
    }
    return undefined;
}

/**
 * A legacy request names, in its header, a 2025 revision or none (then 2025-03-26); `initialize` negotiates in its
 * body. A `_meta` naming a 2025 revision must agree with the header.
 */
function legacyProblem(message: RpcMessage, headers: Readonly<Record<string, string>>): RpcFailure | undefined {
    const headerVersion = headers["mcp-protocol-version"];
    const claimed = metaOf(message)?.[META.protocolVersion];
    if (typeof claimed === "string" && headerVersion !== claimed) {
        return headerMismatch(`MCP-Protocol-Version header ${headerVersion === undefined ? "(missing)" : quoted(headerVersion)} does not match _meta's ${quoted(claimed)}`);
    }
    if (message.method === "initialize" && headerVersion !== undefined && isModernVersion(headerVersion)) {
        return headerMismatch(`MCP-Protocol-Version header ${quoted(headerVersion)} names a revision without initialize`);
    }
    if (message.method === "initialize" || headerVersion === undefined || (LEGACY_VERSIONS as readonly string[]).includes(headerVersion)) {
        return undefined;
    }
    return unsupportedVersion(headerVersion);
}

/**
 * A JSON-RPC batch, which only the 2025-03-26 revision has (later ones removed it, and 2026-07-28 requests stand
 * alone): each request answered in order, as one array.
 */
async function batch(answer: Answerer, headers: Readonly<Record<string, string>>, items: readonly unknown[]): Promise<HttpAnswer> {
    if (items.length === 0 || items.length > MAX_BATCH_SIZE) {
        return rpcError(400, ErrorCode.InvalidRequest, `Invalid Request: a batch holds 1 to ${MAX_BATCH_SIZE} messages`);
    }
    const messages: RpcMessage[] = [];
    for (const item of items) {
        const message = asMessage(item);
        if (message === undefined && !isResponse(item)) {
            return rpcError(400, ErrorCode.InvalidRequest, "Invalid Request: the batch holds something that is not a JSON-RPC message");
        }
        if (message !== undefined) {
            messages.push(message);
        }
    }
    if (messages.some((m) => metaOf(m)?.[META.protocolVersion] !== undefined)) {
        return rpcError(400, ErrorCode.InvalidRequest, "Invalid Request: MCP 2026-07-28 requests cannot be batched; send each in its own POST");
    }
    if (messages.length > 1 && messages.some((m) => m.method === "initialize")) {
        return rpcError(400, ErrorCode.InvalidRequest, "Invalid Request: initialize must be sent alone");
    }
    const problem = messages.map((m) => legacyProblem(m, headers)).find((p) => p !== undefined);
    if (problem !== undefined) {
        return rpcError(problem.status, problem.code, problem.message, {}, null, problem.data);
    }
    const requests = messages.filter((m): m is RpcRequest => m.id !== undefined);
    // JSON-RPC 2.0 §6: each request of a batch gets its own response, told apart by id.
    if (new Set(requests.map((r) => r.id)).size !== requests.length) {
        return rpcError(400, ErrorCode.InvalidRequest, "Invalid Request: two requests in one batch share an id");
    }
    if (requests.length === 0) {
        return ACCEPTED;
    }
    const responses = [];
    for (const request of requests) {
        const outcome = await settle(answer, request, "legacy");
        responses.push("error" in outcome ? { jsonrpc: "2.0", id: request.id, error: outcome.error } : { jsonrpc: "2.0", id: request.id, result: outcome.result });
    }
    return json(200, responses);
}

/** The id of something that is not a valid message, when it has a usable one. */
function idOf(value: unknown): RequestId | null {
    const id = isRecord(value) ? value.id : undefined;
    return isRequestId(id) ? id : null;
}

function quoted(value: string): string {
    return JSON.stringify(value.slice(0, 100));
}
