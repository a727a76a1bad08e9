/** Checks the route table against API Gateway's and ChatGPT's rules before anything is declared from it. */
import type { RouteEntry } from "../handler/routes";

/** ChatGPT's limit on an operation's summary and description. */
export const MAX_DESCRIPTION_CHARS = 300;
const PATH = /^(\/[A-Za-z0-9_-]+)+$/;
const OPERATION_ID = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const BODY_METHODS = ["POST", "PUT", "PATCH"];

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
        if (route.request !== undefined && !BODY_METHODS.includes(route.method)) {
            problems.push(`${name}: a ${route.method} route cannot take a request body; use POST, PUT or PATCH`);
        }
    }
    return problems;
}
