/**
 * The route table: everything the GPT can call, in one place. The infrastructure builds each route's API
 * Gateway resource, method, integration and Lambda permission from it and generates the OpenAPI schema; the
 * handler dispatches on it and validates request bodies against its schemas. It holds metadata and zod
 * schemas only, so the Pulumi program imports no handler code.
 *
 * Each route is also an MCP tool of the same name (handler/mcp.ts), so ChatGPT apps, Claude and other MCP
 * clients reach the same operations.
 *
 * To add a route: add an entry here (its key is the operationId), a function of the same name in
 * handler/operations.ts (TypeScript and a test both fail until the two match), and its tests.
 */
import * as z from "zod/mini";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface RouteSpec {
    readonly method: HttpMethod;
    /** Path under the stage: "/" then segments of letters, digits, "_" or "-". */
    readonly path: string;
    /** One line for the GPT's action list; at most 300 characters. */
    readonly summary: string;
    /**
     * What the model reads to decide when and how to call this route; at most 300 characters. The MCP tool's
     * description is the summary, a blank line, then this: at most 200 characters together (infra/routeTable.ts).
     */
    readonly description: string;
    /** When true, ChatGPT asks the user before every call (`x-openai-isConsequential`). Use it for anything that changes data. */
    readonly consequential: boolean;
    /** The MCP tool's display name. Default: the operationId in words ("getSalesReport" → "Get sales report"). */
    readonly title?: string;
    /**
     * MCP tool annotations (hints a client shows or acts on; ChatGPT asks the user before a tool that is not
     * read-only). Defaults, from `consequential` and `method` (see toolAnnotations in handler/tools.ts):
     * readOnly = !consequential; destructive = not read-only and PUT, PATCH or DELETE; idempotent = read-only or
     * GET, PUT or DELETE (RFC 9110 §9.2.2); openWorld = false (the tool reaches your own systems, not the web).
     */
    readonly readOnly?: boolean;
    readonly destructive?: boolean;
    readonly idempotent?: boolean;
    readonly openWorld?: boolean;
    /** Schema of the JSON request body, a JSON object; omit for a route that takes none (its body is then ignored). */
    readonly request?: z.ZodMiniType;
    /** What the route returns: a JSON object (an MCP tool's structured result is one). */
    readonly response: { readonly description: string; readonly schema: z.ZodMiniType };
    /**
     * Only members of at least one of these Cognito groups may call the route, on both surfaces: others get a 403
     * at the REST route and do not see the MCP tool. The stack creates each group named here; add users with
     * `aws cognito-idp admin-add-user-to-group`. Omit (or leave empty) for a route every signed-in user may call.
     * Names: 1 to 128 letters, digits and `_ . - @ +` (infra/routeTable.ts checks).
     */
    readonly groups?: readonly string[];
    /**
     * IAM permissions the route's operation needs, added to the function's role as statements named after the
     * route. A wildcard action (`service:*`, `*`) or resource (`*`) is refused unless `allowWildcard` says why.
     */
    readonly grants?: readonly Grant[];
}

/** One IAM statement a route's operation needs (effect Allow). */
export interface Grant {
    /** e.g. `["dynamodb:GetItem", "dynamodb:Query"]`. */
    readonly actions: readonly string[];
    /** ARNs, e.g. `["arn:aws:dynamodb:us-east-1:123456789012:table/orders"]`. */
    readonly resources: readonly string[];
    /** Why a wildcard action or resource is needed; without it, one is refused. */
    readonly allowWildcard?: string;
}

/**
 * A file returned the way GPT Actions expect: ChatGPT treats each entry as a file the user uploaded and can
 * analyze it (up to 10 files; the whole response must stay under 100,000 characters).
 */
export const openaiFileResponse = z.object({
    openaiFileResponse: z.array(z.object({
        name: z.string().check(z.describe("The file name, with its extension.")),
        mime_type: z.string().check(z.describe("The file's media type, e.g. text/csv.")),
        content: z.string().check(z.describe("The file's bytes, base64-encoded.")),
    })).check(z.maxLength(10)),
});

export const routes = {
    postSuccess: {
        method: "POST",
        path: "/my_route",
        title: "Check the connection",
        summary: "Returns a success message.",
        description: "Endpoint to check the success status.",
        consequential: false,
        response: {
            description: "A JSON object indicating success.",
            schema: z.object({ success: z.boolean().check(z.meta({ description: "Always true when the call went through.", examples: [true] })) }),
        },
    },
    getSalesReport: {
        method: "POST",
        path: "/reports/sales",
        summary: "Returns a month's sales report as a CSV file.",
        description: "Returns the sales of one month (YYYY-MM), one row per region and product, as a CSV file to analyze. Optionally limited to one region.",
        consequential: false,
        request: z.object({
            month: z.string().check(z.regex(/^\d{4}-(0[1-9]|1[0-2])$/), z.describe("The month to report on, as YYYY-MM.")),
            region: z.optional(z.enum(["EMEA", "AMER", "APAC"]).check(z.describe("Only this sales region; all regions when absent."))),
        }).check(z.meta({ examples: [{ month: "2026-10", region: "EMEA" }] })),
        response: {
            description: "The report, as a CSV file.",
            schema: openaiFileResponse,
        },
    },
} as const satisfies Record<string, RouteSpec>;

export type Routes = typeof routes;
export type OperationId = keyof Routes;

/** A route with its operationId. */
export type RouteEntry = RouteSpec & { readonly operationId: string };

/** A table as a list, each route with its operationId: the shipped table, or another (tests add routes to a copy). */
export function routeList(table: Readonly<Record<string, RouteSpec>> = routes): RouteEntry[] {
    return Object.entries(table).map(([operationId, route]) => ({ operationId, ...route }));
}
