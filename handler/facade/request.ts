/** What the facade reads of API Gateway's proxy event, trusting none of its shape. */

export interface FacadeRequest {
    readonly method: string;
    /** The resource path, e.g. "/oauth/authorize". */
    readonly path: string;
    /** Every value of each query parameter, so that a repeated one can be refused (RFC 6749 §3.1). */
    readonly query: ReadonlyMap<string, readonly string[]>;
    /** Header names in lower case. */
    readonly headers: Readonly<Record<string, string>>;
    readonly body: string;
    readonly requestId: string | undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function strings(value: unknown): string[] {
    if (typeof value === "string") {
        return [value];
    }
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** `event` is typed as API Gateway's, but read as if it could be anything. */
export function readFacadeEvent(event: unknown): FacadeRequest {
    const raw: Record<string, unknown> = isRecord(event) ? event : {};
    const query = new Map<string, string[]>();
    const multi = isRecord(raw.multiValueQueryStringParameters) ? raw.multiValueQueryStringParameters : undefined;
    const single = isRecord(raw.queryStringParameters) ? raw.queryStringParameters : {};
    for (const [key, value] of Object.entries(multi ?? single)) {
        query.set(key, strings(value));
    }
    const headers: Record<string, string> = {};
    if (isRecord(raw.headers)) {
        for (const [key, value] of Object.entries(raw.headers)) {
            if (typeof value === "string") {
                headers[key.toLowerCase()] = value;
            }
        }
    }
    const body = typeof raw.body === "string" ? raw.body : "";
    const context = isRecord(raw.requestContext) ? raw.requestContext : {};
    return {
        method: typeof raw.httpMethod === "string" ? raw.httpMethod.toUpperCase() : "",
        path: typeof raw.resource === "string" ? raw.resource : typeof raw.path === "string" ? raw.path : "",
        query,
        headers,
        body: raw.isBase64Encoded === true ? Buffer.from(body, "base64").toString("utf8") : body,
        requestId: typeof context.requestId === "string" ? context.requestId : undefined,
    };
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
