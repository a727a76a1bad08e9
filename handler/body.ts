/** Turns a request body into the value a route's schema accepts, or a 4xx that says what to fix. */
import * as z from "zod/mini";
import type { Request } from "./event";
import { HttpError } from "./http";

/** ChatGPT sends at most this many characters in a request. */
export const MAX_REQUEST_CHARS = 100_000;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/** The JSON value of the body, validated against `schema`. */
export function readBody(request: Request, schema: z.ZodMiniType): unknown {
    const text = bodyText(request);
    if (text === undefined) {
        const absent = z.safeParse(schema, undefined);
        if (absent.success) {
            return absent.data;
        }
        throw new HttpError(400, "body_required", "This operation needs a JSON request body; see its schema.");
    }
    const contentType = request.headers["content-type"] ?? "";
    if (!JSON_MEDIA_TYPE.test(contentType)) {
        throw new HttpError(415, "unsupported_media_type", `Send the body as application/json (got ${JSON.stringify(contentType.slice(0, 100))}).`);
    }
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch {
        throw new HttpError(400, "invalid_json", "The request body is not valid JSON.");
    }
    return validated(schema, value, "The request body does not match the schema");
}

/**
 * `value` as `schema` accepts it, or a 400 that names each field to fix after `lead`. The REST routes and the MCP
 * tools both validate through here, so a model gets the same field-level message from either surface.
 */
export function validated(schema: z.ZodMiniType, value: unknown, lead: string): unknown {
    const parsed = z.safeParse(schema, value);
    if (!parsed.success) {
        throw new HttpError(400, "invalid_body", `${lead}: ${describeIssues(parsed.error.issues)}.`);
    }
    return parsed.data;
}

/** The body as text (base64 decoded), undefined when absent or empty; a 4xx when too large or badly encoded. */
export function bodyText(request: Request): string | undefined {
    const { body } = request;
    if (body === undefined || body === "") {
        return undefined;
    }
    // Cheap guard before decoding: UTF-8 takes up to 4 bytes a character and base64 adds a third.
    const limit = request.isBase64Encoded ? Math.ceil((MAX_REQUEST_CHARS * 4) / 3) * 4 : MAX_REQUEST_CHARS;
    if (body.length > limit) {
        throw tooLarge();
    }
    let text = body;
    if (request.isBase64Encoded) {
        if (!BASE64.test(body)) {
            throw new HttpError(400, "invalid_encoding", "The body is marked base64-encoded but is not valid base64.");
        }
        try {
            text = new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(body, "base64"));
        } catch {
            throw new HttpError(400, "invalid_encoding", "The body is not UTF-8 text.");
        }
    }
    if (text.length > MAX_REQUEST_CHARS) {
        throw tooLarge();
    }
    return text === "" ? undefined : text;
}

function tooLarge(): HttpError {
    return new HttpError(413, "body_too_large", `The request body is over ${MAX_REQUEST_CHARS} characters; send less.`);
}

/** "month: must match ^\d{4}-…$; region: must be one of EMEA, AMER, APAC", short enough for a model to act on. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
    return issues.slice(0, 5).map((issue) => {
        const where = issue.path.length > 0 ? issue.path.join(".") : "body";
        return `${where}: ${describeIssue(issue)}`;
    }).join("; ");
}

function describeIssue(issue: z.core.$ZodIssue): string {
    switch (issue.code) {
        case "invalid_type":
            return `expected ${issue.expected}`;
        case "invalid_value":
            return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
        case "invalid_format":
            return issue.format === "regex" && "pattern" in issue ? `must match ${String(issue.pattern)}` : `must be a valid ${issue.format}`;
        case "too_small":
            return `must be at least ${String(issue.minimum)}${issue.origin === "string" ? " characters" : ""}`;
        case "too_big":
            return `must be at most ${String(issue.maximum)}${issue.origin === "string" ? " characters" : ""}`;
        case "unrecognized_keys":
            return `unknown keys ${issue.keys.join(", ")}`;
        default:
            return "is invalid";
    }
}
