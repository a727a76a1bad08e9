/**
 * One POST to /mcp as MCP's Streamable HTTP transport has it (MCP 2025-11-25, "Base Protocol › Transports"), for a
 * stateless server that answers in JSON: the HTTP rules here, the JSON-RPC and the protocol in the SDK's `Server`.
 *
 * Why not the SDK's WebStandardStreamableHTTPServerTransport: it works on the Fetch API's Request and Response, and
 * Node loads their implementation (undici) on first use, about 40 ms of a Lambda cold start, for a request that
 * arrives as a plain event. The rules below are the ones that transport applies to a POST in stateless JSON mode,
 * with its status codes and messages; the official conformance suite and tests/mcp*.test.ts hold them.
 */
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import {
    isInitializeRequest,
    isJSONRPCRequest,
    JSONRPCMessageSchema,
    SUPPORTED_PROTOCOL_VERSIONS,
    type JSONRPCMessage,
    type RequestId,
} from "@modelcontextprotocol/sdk/types.js";

export interface HttpAnswer {
    readonly statusCode: number;
    readonly headers: Record<string, string>;
    readonly body: string;
}

/** The SDK's own bound on messages in one batch. */
const MAX_BATCH_SIZE = 100;
const JSON_MEDIA_TYPE = /^application\/json\s*(?:;|$)/i;

/** A JSON-RPC error outside any request (id null), worded as the SDK's transport words it. */
export function rpcError(statusCode: number, code: number, message: string, headers: Record<string, string> = {}): HttpAnswer {
    return {
        statusCode,
        headers: { "Content-Type": "application/json", ...headers },
        body: JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }),
    };
}

/**
 * Hands the POSTed message(s) to `server` and answers: 202 when they hold no request, else the responses as JSON
 * (one object, or an array for a batch). `headers` have lower-case names.
 */
export async function exchange(server: Server, headers: Readonly<Record<string, string>>, body: string): Promise<HttpAnswer> {
    // Transports › Sending Messages to the Server: the client lists both types it can take.
    const accept = headers.accept ?? "";
    if (!accept.includes("application/json") || !accept.includes("text/event-stream")) {
        return rpcError(406, -32000, "Not Acceptable: Client must accept both application/json and text/event-stream");
    }
    if (!JSON_MEDIA_TYPE.test(headers["content-type"] ?? "")) {
        return rpcError(415, -32000, "Unsupported Media Type: Content-Type must be application/json");
    }
    let raw: unknown;
    try {
        raw = JSON.parse(body);
    } catch {
        return rpcError(400, -32700, "Parse error: Invalid JSON");
    }
    const items: unknown[] = Array.isArray(raw) ? raw : [raw];
    if (items.length > MAX_BATCH_SIZE) {
        return rpcError(400, -32600, `Invalid Request: Batch must not exceed ${MAX_BATCH_SIZE} messages`);
    }
    const messages: JSONRPCMessage[] = [];
    for (const item of items) {
        const parsed = JSONRPCMessageSchema.safeParse(item);
        if (!parsed.success) {
            return rpcError(400, -32700, "Parse error: Invalid JSON-RPC message");
        }
        messages.push(parsed.data);
    }
    const initializing = messages.some(isInitializeRequest);
    if (initializing && messages.length > 1) {
        return rpcError(400, -32600, "Invalid Request: Only one initialization request is allowed");
    }
    // Transports › Protocol Version Header: an unsupported version gets 400; none means the default version.
    const version = headers["mcp-protocol-version"];
    if (!initializing && version !== undefined && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
        return rpcError(400, -32000, `Bad Request: Unsupported protocol version: ${version} (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(", ")})`);
    }

    const requestIds = messages.filter(isJSONRPCRequest).map((request) => request.id);
    // JSON-RPC 2.0 §6: each request of a batch gets its own response, told apart by id.
    if (new Set(requestIds).size !== requestIds.length) {
        return rpcError(400, -32600, "Invalid Request: two requests in one batch share an id");
    }
    const transport = new OneExchange(requestIds);
    await server.connect(transport);
    try {
        for (const message of messages) {
            // A cancellation of a request in the same POST would leave it unanswered and the POST open (the SDK
            // answers an aborted request with nothing); this exchange always answers, so it is dropped.
            if (!cancelsOneOf(message, requestIds)) {
                transport.onmessage?.(message);
            }
        }
        if (requestIds.length === 0) {
            // Only notifications or responses: accepted, nothing to answer.
            return { statusCode: 202, headers: {}, body: "" };
        }
        const responses = await transport.responses;
        return {
            statusCode: 200,
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify(responses.length === 1 ? responses[0] : responses),
        };
    } finally {
        await server.close();
    }
}

/** True for `notifications/cancelled` naming one of `requestIds` (MCP 2025-11-25, Utilities › Cancellation). */
function cancelsOneOf(message: JSONRPCMessage, requestIds: readonly RequestId[]): boolean {
    if (!("method" in message) || message.method !== "notifications/cancelled" || "id" in message) {
        return false;
    }
    const target = (message.params as { requestId?: unknown } | undefined)?.requestId;
    return (typeof target === "string" || typeof target === "number") && requestIds.includes(target);
}

/** A transport for one exchange: it collects the server's response to each request, in the requests' order. */
class OneExchange implements Transport {
    onmessage?: Transport["onmessage"];
    onclose?: () => void;
    onerror?: (error: Error) => void;
    readonly responses: Promise<JSONRPCMessage[]>;
    private readonly answered = new Map<RequestId, JSONRPCMessage>();
    private resolve: (responses: JSONRPCMessage[]) => void = () => undefined;

    constructor(private readonly requestIds: readonly RequestId[]) {
        this.responses = new Promise((resolve) => {
            this.resolve = resolve;
        });
    }

    start(): Promise<void> {
        return Promise.resolve();
    }

    send(message: JSONRPCMessage): Promise<void> {
        // Stateless and JSON-only, the server has no stream for notifications or requests of its own; they are dropped.
        const id = "result" in message || "error" in message ? message.id : undefined;
        if (id !== undefined && this.requestIds.includes(id)) {
            this.answered.set(id, message);
            if (this.answered.size === this.requestIds.length) {
                this.resolve(this.requestIds.map((id) => this.answered.get(id) as JSONRPCMessage));
            }
        }
        return Promise.resolve();
    }

    close(): Promise<void> {
        this.onclose?.();
        return Promise.resolve();
    }
}
