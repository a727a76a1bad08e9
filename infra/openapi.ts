/** The OpenAPI 3.1 document a GPT builder pastes into ChatGPT's Action editor, generated from the route table. */
import * as z from "zod/mini";
import type { RouteEntry } from "../handler/routes";

export interface OpenApiInfo {
    readonly title: string;
    readonly description: string;
    readonly version: string;
}

export const DEFAULT_INFO: OpenApiInfo = {
    title: "GPT Action API",
    description: "Your company's operations on AWS, for ChatGPT to call on a signed-in user's behalf.",
    version: "1.0.0",
};

/** JSON Schema 2020-12 (OpenAPI 3.1's dialect) for what a client sends (`input`) or receives (`output`). */
function jsonSchema(schema: z.ZodMiniType, io: "input" | "output"): object {
    const document: Record<string, unknown> = z.toJSONSchema(schema, { target: "draft-2020-12", io });
    // The dialect is OpenAPI 3.1's own; a per-schema $schema only adds noise for the model.
    delete document.$schema;
    return document;
}

/**
 * The paths of a document with one operation per route: its operationId, summary and description, and what
 * `operation` adds. Both documents are built on it: this one for ChatGPT and the REST API's (restApiDocument.ts).
 */
export function operationPaths(routes: readonly RouteEntry[], operation: (route: RouteEntry) => object): Record<string, Record<string, object>> {
    const paths: Record<string, Record<string, object>> = {};
    for (const route of routes) {
        paths[route.path] ??= {};
        paths[route.path][route.method.toLowerCase()] = {
            operationId: route.operationId,
            summary: route.summary,
            description: route.description,
            ...operation(route),
        };
    }
    return paths;
}

/** Builds the document for `routes` served at `serverUrl` (the stage URL). */
export function openApiDocument(routes: readonly RouteEntry[], serverUrl: string, info: OpenApiInfo): object {
    const paths = operationPaths(routes, (route) => ({
        "x-openai-isConsequential": route.consequential,
        ...(route.request === undefined ? {} : {
            requestBody: {
                required: !z.safeParse(route.request, undefined).success,
                content: { "application/json": { schema: jsonSchema(route.request, "input") } },
            },
        }),
        responses: {
            "200": {
                description: route.response.description,
                content: { "application/json": { schema: jsonSchema(route.response.schema, "output") } },
            },
        },
    }));
    return {
        openapi: "3.1.0",
        info,
        servers: [{ url: serverUrl.replace(/\/+$/, ""), description: "The deployed API Gateway stage" }],
        paths,
    };
}

/** The document as the `openApiSchema` output carries it: indented JSON. */
export function openApiSchemaText(routes: readonly RouteEntry[], serverUrl: string, info: OpenApiInfo = DEFAULT_INFO): string {
    return JSON.stringify(openApiDocument(routes, serverUrl, info), null, 2);
}
