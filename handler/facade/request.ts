/**
 * What the facade reads of API Gateway's proxy event: handler/event.ts's reading (trusting none of its shape), plus
 * the multi-valued query and the body as text. Not handler/body.ts, which would bring zod into the facade's bundle.
 */
import { isRecord, readEvent, type Request } from "../event";

export interface FacadeRequest extends Pick<Request, "method" | "path" | "headers" | "gatewayRequestId"> {
    /** Every value of each query parameter, so that a repeated one can be refused (RFC 6749 §3.1). */
    readonly query: ReadonlyMap<string, readonly string[]>;
    /** The body as text, "" when absent; undefined when over MAX_BODY_CHARS or marked base64 but not base64 of UTF-8. */
    readonly body: string | undefined;
}

/** Far above any token or revocation form (token.ts refuses one over 64 KiB); checked before decoding. */
const MAX_BODY_CHARS = 100_000;
/** Canonical padded base64, as API Gateway encodes a binary body. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function strings(value: unknown): string[] {
    if (typeof value === "string") {
        return [value];
    }
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function bodyText(body: string | undefined, isBase64Encoded: boolean): string | undefined {
    if (body === undefined || body.length > MAX_BODY_CHARS) {
        return body === undefined ? "" : undefined;
    }
    if (!isBase64Encoded) {
        return body;
    }
    if (!BASE64.test(body)) {
        return undefined;
    }
    try {
        return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(body, "base64"));
    } catch {
        return undefined;
    }
}

/** `event` is typed as API Gateway's, but read as if it could be anything. */
export function readFacadeEvent(event: unknown): FacadeRequest {
    const { method, path, headers, gatewayRequestId, body, isBase64Encoded } = readEvent(event);
    const raw: Record<string, unknown> = isRecord(event) ? event : {};
    const query = new Map<string, string[]>();
    const multi = isRecord(raw.multiValueQueryStringParameters) ? raw.multiValueQueryStringParameters : undefined;
    const single = isRecord(raw.queryStringParameters) ? raw.queryStringParameters : {};
    for (const [key, value] of Object.entries(multi ?? single)) {
        query.set(key, strings(value));
    }
    return { method, path, headers, gatewayRequestId, query, body: bodyText(body, isBase64Encoded) };
}

/**
 * Single-valued parameters, or the name of one sent more than once (RFC 6749 §3.1: parameters MUST NOT be
 * included more than once; a second `redirect_uri` must not sneak past the first's check).
 */
export function singleValued(values: ReadonlyMap<string, readonly string[]>): { readonly params: ReadonlyMap<string, string> } | { readonly repeated: string } {
    const params = new Map<string, string>();
    for (const [key, list] of values) {
        if (list.length > 1) {
            return { repeated: key };
        }
        if (list.length === 1) {
            params.set(key, list[0]);
        }
    }
    return { params };
}
