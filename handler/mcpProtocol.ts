/**
 * MCP's wire vocabulary for a tools server that serves both eras on one endpoint (MCP 2026-07-28, Versioning ›
 * Backward Compatibility with Initialization-Based Versions): the revisions served, the JSON-RPC messages and error
 * codes, and which era a message belongs to. Plain checks over parsed JSON: no schema library, so that a Lambda's
 * first MCP request pays for little more than the REST routes' (issue 22).
 */
import { isRecord } from "./event";

/** Per-request `_meta` keys (MCP 2026-07-28, Base Protocol › General fields › `_meta`). */
export const META = {
    protocolVersion: "io.modelcontextprotocol/protocolVersion",
    clientInfo: "io.modelcontextprotocol/clientInfo",
    clientCapabilities: "io.modelcontextprotocol/clientCapabilities",
    serverInfo: "io.modelcontextprotocol/serverInfo",
} as const;

/** Served statelessly, each request carrying its version and capabilities in `_meta`. */
export const MODERN_VERSIONS = ["2026-07-28"] as const;
/** Served through `initialize`, newest first: what a 2025 client asks for is echoed, anything else gets the first. */
export const LEGACY_VERSIONS = ["2025-11-25", "2025-06-18", "2025-03-26"] as const;
export const SUPPORTED_VERSIONS: readonly string[] = [...MODERN_VERSIONS, ...LEGACY_VERSIONS];
/**
 * The revision a request without an MCP-Protocol-Version header is taken to speak (MCP 2026-07-28, Streamable HTTP ›
 * Protocol Version Header: a server that serves clients older than 2025-06-18 MAY assume 2025-03-26).
 */
export const HEADERLESS_VERSION = "2025-03-26";

/** JSON-RPC 2.0 §5.1 and MCP 2026-07-28, Base Protocol › Error Codes. */
export const ErrorCode = {
    ParseError: -32700,
    InvalidRequest: -32600,
    MethodNotFound: -32601,
    InvalidParams: -32602,
    InternalError: -32603,
    HeaderMismatch: -32020,
    UnsupportedProtocolVersion: -32022,
} as const;

export type RequestId = string | number;

/** A JSON-RPC request (an id) or notification (none), with MCP's rule that an id is a string or an integer. */
export interface RpcMessage {
    readonly id?: RequestId;
    readonly method: string;
    readonly params: Readonly<Record<string, unknown>>;
}

export interface RpcErrorBody {
    readonly code: number;
    readonly message: string;
    readonly data?: unknown;
}

/** A request's failure, with the HTTP status it travels with (200 where the transport names none). */
export class RpcFailure extends Error {
    constructor(
        readonly code: number,
        message: string,
        readonly status = 200,
        readonly data?: unknown,
    ) {
        super(message);
        this.name = "RpcFailure";
    }

    get body(): RpcErrorBody {
        return this.data === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, data: this.data };
    }
}

/** What was POSTed, read as one JSON-RPC message; undefined for a response or anything that is not a message. */
export function asMessage(value: unknown): RpcMessage | undefined {
    if (!isRecord(value) || value.jsonrpc !== "2.0" || typeof value.method !== "string") {
        return undefined;
    }
    const params = value.params ?? {};
    if (!isRecord(params)) {
        return undefined;
    }
    if (!("id" in value)) {
        return { method: value.method, params };
    }
    return isRequestId(value.id) ? { id: value.id, method: value.method, params } : undefined;
}

/** MCP's rule for a request id: a string or an integer, never null. */
export function isRequestId(value: unknown): value is RequestId {
    return typeof value === "string" || Number.isInteger(value);
}

/** A JSON-RPC response (a result or an error) posted back, which a server that sends no requests has nothing to match with. */
export function isResponse(value: unknown): boolean {
    return isRecord(value) && value.jsonrpc === "2.0" && ("result" in value || "error" in value) && !("method" in value);
}

/** The request's `_meta`, if it carries one as an object. */
export function metaOf(message: RpcMessage): Readonly<Record<string, unknown>> | undefined {
    const meta = message.params._meta;
    return isRecord(meta) ? meta : undefined;
}

/**
 * The era a message opens, read from its body first (as the SDKs classify it): a `_meta` naming a protocol version
 * is of that version's era (and modern, then malformed, when the value is not a string); `initialize` without one
 * is the legacy handshake; otherwise a modern MCP-Protocol-Version header makes it modern (and then malformed), and
 * anything else is legacy.
 */
export function eraOf(message: RpcMessage, headerVersion: string | undefined): "modern" | "legacy" {
    const claimed = metaOf(message)?.[META.protocolVersion];
    if (claimed !== undefined) {
        return typeof claimed === "string" && !isModernVersion(claimed) ? "legacy" : "modern";
    }
    if (message.method === "initialize") {
        return "legacy";
    }
    return headerVersion !== undefined && isModernVersion(headerVersion) ? "modern" : "legacy";
}

/** Revisions are dates; 2026-07-28 is the first without `initialize`. */
export function isModernVersion(version: string): boolean {
    return version >= MODERN_VERSIONS[MODERN_VERSIONS.length - 1];
}

/** MCP 2026-07-28, Versioning › Protocol Version Negotiation: 400, the versions served and the one asked for. */
export function unsupportedVersion(requested: string): RpcFailure {
    return new RpcFailure(ErrorCode.UnsupportedProtocolVersion, `Unsupported protocol version ${JSON.stringify(requested.slice(0, 40))}; this server supports ${SUPPORTED_VERSIONS.join(", ")}`, 400, {
        supported: SUPPORTED_VERSIONS,
        requested,
    });
}

/** -32020, always with 400 (MCP 2026-07-28, Streamable HTTP › Server Validation). */
export function headerMismatch(detail: string): RpcFailure {
    return new RpcFailure(ErrorCode.HeaderMismatch, `Header mismatch: ${detail}`, 400);
}

/**
 * A header value as MCP 2026-07-28 encodes it (Streamable HTTP › Value Encoding): plain, or `=?base64?…?=` around the
 * value's UTF-8 in Base64. Undefined when the sentinel holds no valid Base64.
 */
export function decodedHeaderValue(value: string): string | undefined {
    const sentinel = /^=\?base64\?([A-Za-z0-9+/]*={0,2})\?=$/.exec(value);
    if (sentinel === null) {
        return value.startsWith("=?base64?") && value.endsWith("?=") ? undefined : value;
    }
    try {
        return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(sentinel[1], "base64"));
    } catch {
        return undefined;
    }
}
