/** Checks the route table against API Gateway's and ChatGPT's rules before anything is declared from it. */
import * as z from "zod/mini";
import { FACADE_PREFIX } from "../handler/facade/paths";
import type { RouteEntry } from "../handler/routes";
import { MAX_TOOL_DESCRIPTION_CHARS, toolDescription } from "../handler/tools";
import { accessProblems, sidProblems } from "./grants";
import { isObject } from "./json";
import { apiLevelSettings, restApiDocument, restApiProblems } from "./restApiDocument";

/** ChatGPT's limit on an operation's summary and description. */
export const MAX_DESCRIPTION_CHARS = 300;
const PATH = /^(\/[A-Za-z0-9_-]+)+$/;
const OPERATION_ID = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const BODY_METHODS = ["POST", "PUT", "PATCH"];
/** Paths the stack serves itself: the MCP endpoint (its discovery documents sit under /.well-known, which PATH excludes). */
const RESERVED_PATHS = ["/mcp"];
/**
 * Prefixes the stack serves itself or names, with every path under them, and whose they are: the OAuth facade's
 * endpoints, and Cognito's, whose token and revoke paths the web ACL exempts from three rules (infra/waf.ts), so
 * that no route on the API's custom domain (the stage at the host's root) shares that exemption.
 */
const RESERVED_PREFIXES: ReadonlyArray<readonly [string, string]> = [
    [FACADE_PREFIX, "the OAuth facade's (authorize, callback, token, revoke)"],
    ["/oauth2", "Cognito's OAuth endpoints' name (the web ACL exempts its token and revoke paths)"],
];

/** The problems of `routes` as one message, or undefined when the table is sound. */
export function routeTableError(routes: readonly RouteEntry[]): string | undefined {
    const problems = routeTableProblems(routes);
    return problems.length === 0 ? undefined : `The route table has problems:\n  - ${problems.join("\n  - ")}`;
}

/** Every problem of `routes`, as sentences; empty when the table is sound. */
export function routeTableProblems(routes: readonly RouteEntry[]): string[] {
    const problems: string[] = [];
    const seen = new Set<string>();
    if (routes.length === 0) {
        problems.push("there are no routes; API Gateway cannot deploy an API without methods");
    }
    for (const route of routes) {
        const name = route.operationId;
        if (!OPERATION_ID.test(name)) {
            problems.push(`${name}: operationId must be a letter then up to 63 letters, digits or "_"`);
        }
        if (!PATH.test(route.path)) {
            problems.push(`${name}: path ${JSON.stringify(route.path)} must be "/" then segments of letters, digits, "_" or "-"`);
        }
        if (RESERVED_PATHS.includes(route.path)) {
            problems.push(`${name}: path ${route.path} is the MCP endpoint's; choose another`);
        }
        for (const [prefix, owner] of RESERVED_PREFIXES) {
            if (route.path === prefix || route.path.startsWith(`${prefix}/`)) {
                problems.push(`${name}: paths under ${prefix} are ${owner}; choose another`);
            }
        }
        // OpenAPI 3.0 "Operation Object": operationId "MUST be unique among all operations described in the API";
        // the document adds operations of its own (review 2026-12-06, N5).
        if (generatedOperationIds().includes(name)) {
            problems.push(`${name}: operationId ${name} is one the API document gives its own operations (${generatedOperationIds().join(", ")}); ` +
                "OpenAPI requires operationIds to be unique, so rename it in handler/routes.ts");
        }
        const key = `${route.method} ${route.path}`;
        if (seen.has(key)) {
            problems.push(`${name}: ${key} is already taken by another route`);
        }
        seen.add(key);
        for (const field of ["summary", "description"] as const) {
            const text = route[field];
            if (text.trim() === "" || text.length > MAX_DESCRIPTION_CHARS) {
                problems.push(`${name}: ${field} must be 1-${MAX_DESCRIPTION_CHARS} characters (it is ${text.length})`);
            }
        }
        // Checked once the summary and description are each sound, so one fault gives one message.
        const fieldsSound = [route.summary, route.description].every((text) => text.trim() !== "" && text.length <= MAX_DESCRIPTION_CHARS);
        const tool = toolDescription(route);
        if (fieldsSound && tool.length > MAX_TOOL_DESCRIPTION_CHARS) {
            problems.push(`${name}: as an MCP tool its description (summary, a blank line, then description, unless the two are the same) is ${tool.length} characters; ` +
                `keep it within ${MAX_TOOL_DESCRIPTION_CHARS} (what ChatGPT apps and the app directory are held to here) by shortening the summary or the description`);
        }
        if (route.request !== undefined && !BODY_METHODS.includes(route.method)) {
            problems.push(`${name}: a ${route.method} route cannot take a request body; use POST, PUT or PATCH`);
        }
        // An MCP tool takes arguments as a JSON object and returns structured content as one.
        for (const [what, schema] of [["request", route.request], ["response", route.response.schema]] as const) {
            if (schema !== undefined && !isObjectSchema(schema)) {
                problems.push(`${name}: the ${what} schema must describe a JSON object (z.object(...)), as an MCP tool's arguments and result are`);
            }
        }
        // Who may call it and what it may reach (infra/grants.ts: the same rules the policy pack applies).
        problems.push(...accessProblems(route));
    }
    problems.push(...sidProblems(routes));
    // Only when each route is sound on its own: a model's problems mean little for a schema that is not an object.
    return problems.length > 0 ? problems : restApiProblems(routes);
}

/** Every operationId in an OpenAPI `document`, in path order, repeats included. */
export function operationIdsOf(document: unknown): string[] {
    const paths = isObject(document) && isObject(document.paths) ? Object.values(document.paths) : [];
    return paths.filter(isObject).flatMap((item) => Object.values(item))
        .flatMap((operation) => (isObject(operation) && typeof operation.operationId === "string" ? [operation.operationId] : []));
}

let generated: readonly string[] | undefined;

/**
 * The operationIds the API document gives operations of its own (/mcp, the OAuth facade's endpoints), read off the
 * document restApiDocument builds with no routes and every optional part on, so the list follows the code.
 */
export function generatedOperationIds(): readonly string[] {
    generated ??= operationIdsOf(restApiDocument({
        settings: apiLevelSettings(false), title: "", description: "", routes: [], userPoolArn: "", scopes: [], invokeArn: "", corsAllowOrigin: "*",
        mcp: { scope: "", documents: {}, challenge: "", facadeInvokeArn: "" },
    }));
    return generated;
}

function isObjectSchema(schema: z.ZodMiniType): boolean {
    try {
        return z.toJSONSchema(schema, { io: "input" }).type === "object";
    } catch {
        // A schema JSON Schema cannot express (a transform, a date) is reported as not an object.
        return false;
    }
}
