/** Proxy results and the errors a model can act on: `{ "error": { "code", "message" } }`. */
import type { APIGatewayProxyResult } from "aws-lambda";

/** ChatGPT drops Action responses over this many characters; we refuse them rather than truncate. */
export const MAX_RESPONSE_CHARS = 100_000;

/** Marks HttpErrors across copies of this module (the bundle's index.js and mcp.js each hold one). */
const HTTP_ERROR = Symbol.for("gpt-action.HttpError");

/** An expected failure: its status, code and message go to the caller as they are. */
export class HttpError extends Error {
    readonly [HTTP_ERROR] = true;

    /** True for an HttpError from any copy of this module, where `instanceof` sees only its own. */
    static is(error: unknown): error is HttpError {
        return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[HTTP_ERROR] === true;
    }

    constructor(
        readonly statusCode: number,
        readonly code: string,
        message: string,
        readonly headers: Record<string, string> = {},
    ) {
        super(message);
        this.name = "HttpError";
    }
}

/** A JSON response, with the CORS origin the infrastructure configured (if any). */
export function jsonResult(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
    const all: Record<string, string> = { "Content-Type": "application/json", ...headers };
    const origin = process.env.CORS_ALLOW_ORIGIN;
    if (origin) {
        all["Access-Control-Allow-Origin"] = origin;
    }
    return { statusCode, headers: all, body: JSON.stringify(body) };
}

export function errorResult(error: HttpError, extra: Record<string, string> = {}): APIGatewayProxyResult {
    return jsonResult(error.statusCode, { error: { code: error.code, message: error.message, ...extra } }, error.headers);
}

/** A 200 with `value` as JSON, or a 422 when it is too large for ChatGPT to read. */
export function okResult(value: unknown): APIGatewayProxyResult {
    const result = jsonResult(200, value);
    if (result.body.length > MAX_RESPONSE_CHARS) {
        return errorResult(new HttpError(422, "response_too_large",
            `The result is ${result.body.length} characters; ChatGPT reads at most ${MAX_RESPONSE_CHARS}. Ask for less (a narrower filter or range) and call again.`));
    }
    return result;
}
