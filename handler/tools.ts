/**
 * The route table as MCP tools (MCP 2025-11-25, "Server Features › Tools"): one tool per route, named after its
 * operationId, its schemas turned into JSON Schema 2020-12 (MCP's default dialect).
 */
import * as z from "zod/mini";
import { openaiFileResponse, type RouteEntry } from "./routes";

/** What a client reads before it calls; `annotations` are hints, never a security boundary. */
export interface ToolAnnotations {
    readonly title: string;
    readonly readOnlyHint: boolean;
    readonly destructiveHint: boolean;
    readonly idempotentHint: boolean;
    readonly openWorldHint: boolean;
}

export interface ToolDefinition {
    readonly name: string;
    readonly title: string;
    readonly description: string;
    readonly inputSchema: { readonly type: "object"; readonly [key: string]: unknown };
    readonly outputSchema?: { readonly type: "object"; readonly [key: string]: unknown };
    readonly annotations: ToolAnnotations;
}

const IDEMPOTENT_METHODS = ["GET", "PUT", "DELETE"];
const DESTRUCTIVE_METHODS = ["PUT", "PATCH", "DELETE"];

/** A route returns files when its response is the `openaiFileResponse` shape; the tool then returns resources. */
export function returnsFiles(route: RouteEntry): boolean {
    return route.response.schema === openaiFileResponse;
}

/** "getSalesReport" → "Get sales report". */
export function titleOf(operationId: string): string {
    const words = operationId.replace(/_/g, " ").replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase().trim();
    return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The route's hints, each from its own field or derived from `consequential` and `method` (see RouteSpec). */
export function toolAnnotations(route: RouteEntry): ToolAnnotations {
    const readOnly = route.readOnly ?? !route.consequential;
    return {
        title: route.title ?? titleOf(route.operationId),
        readOnlyHint: readOnly,
        destructiveHint: route.destructive ?? (!readOnly && DESTRUCTIVE_METHODS.includes(route.method)),
        idempotentHint: route.idempotent ?? (readOnly || IDEMPOTENT_METHODS.includes(route.method)),
        openWorldHint: route.openWorld ?? false,
    };
}

/** A JSON object schema for `schema`, without the `$schema` key (2020-12 is MCP's default). */
export function objectSchema(schema: z.ZodMiniType, io: "input" | "output"): { type: "object"; [key: string]: unknown } {
    const document: Record<string, unknown> = z.toJSONSchema(schema, { target: "draft-2020-12", io });
    delete document.$schema;
    if (document.type !== "object") {
        throw new Error(`an MCP tool's ${io} schema must be a JSON object (got ${JSON.stringify(document.type)})`);
    }
    return { ...document, type: "object" };
}

export function toolDefinition(route: RouteEntry): ToolDefinition {
    const annotations = toolAnnotations(route);
    return {
        name: route.operationId,
        title: annotations.title,
        description: route.summary === route.description ? route.summary : `${route.summary}\n\n${route.description}`,
        // A route without a body takes no arguments: the empty object schema MCP asks for.
        inputSchema: route.request === undefined ? { type: "object", properties: {}, additionalProperties: false } : objectSchema(route.request, "input"),
        // A file result comes back as resources, not as structured content, so it declares no output schema.
        ...(returnsFiles(route) ? {} : { outputSchema: objectSchema(route.response.schema, "output") }),
        annotations,
    };
}
