/**
 * Reads what the handler needs from API Gateway's proxy event, trusting none of its shape: a hostile or
 * malformed event must become a 4xx, never a throw (API Gateway turns a throw into a bare 502). An object whose
 * property access itself throws (a getter, a revoked Proxy) still throws here; the handler calls this inside its
 * try and answers 500.
 */
export interface Request {
    readonly method: string;
    /** The resource path API Gateway matched, e.g. "/my_route". */
    readonly path: string;
    /** Header names in lower case. */
    readonly headers: Readonly<Record<string, string>>;
    readonly body: string | undefined;
    readonly isBase64Encoded: boolean;
    /** The Cognito authorizer's claims, undefined when there are none. */
    readonly claims: Readonly<Record<string, string>> | undefined;
    readonly gatewayRequestId: string | undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringOrUndefined(value: unknown): string | undefined {
    return typeof value === "string" ? value : undefined;
}

/** The string-valued entries of `value`, or undefined when it is not an object. */
function stringRecord(value: unknown, lowerCaseKeys = false): Record<string, string> | undefined {
    if (!isRecord(value)) {
        return undefined;
    }
    const out: Record<string, string> = {};
    for (const key of Object.keys(value)) {
        const entry = value[key];
        if (typeof entry === "string") {
            out[lowerCaseKeys ? key.toLowerCase() : key] = entry;
        }
    }
    return out;
}

/** `event` is typed as API Gateway's, but read as if it could be anything. */
export function readEvent(event: unknown): Request {
    const raw: Record<string, unknown> = isRecord(event) ? event : {};
    const context = isRecord(raw.requestContext) ? raw.requestContext : {};
    const authorizer = isRecord(context.authorizer) ? context.authorizer : {};
    const claims = stringRecord(authorizer.claims);
    return {
        method: (stringOrUndefined(raw.httpMethod) ?? "").toUpperCase(),
        path: stringOrUndefined(raw.resource) ?? stringOrUndefined(raw.path) ?? "",
        headers: stringRecord(raw.headers, true) ?? {},
        body: stringOrUndefined(raw.body),
        isBase64Encoded: raw.isBase64Encoded === true,
        claims: claims !== undefined && Object.keys(claims).length > 0 ? claims : undefined,
        gatewayRequestId: stringOrUndefined(context.requestId),
    };
}
