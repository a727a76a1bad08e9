/** The OpenAPI 3.1 document a GPT builder pastes into ChatGPT's Action editor, generated from the route table. */
import type { Route } from "../handler/routes";

export interface OpenApiInfo {
    readonly title: string;
    readonly description: string;
    readonly version: string;
}

/** Builds the document for `routes` served at `serverUrl` (the stage URL, without a trailing slash). */
export function openApiDocument(routes: readonly Route[], serverUrl: string, info: OpenApiInfo): object {
    const paths: Record<string, Record<string, object>> = {};
    for (const route of routes) {
        paths[route.path] ??= {};
        paths[route.path][route.method.toLowerCase()] = {
            operationId: route.operationId,
            summary: route.summary,
            description: route.description,
            responses: {
                "200": {
                    description: route.response.description,
                    content: { "application/json": { schema: route.response.schema } },
                },
            },
        };
    }
    return {
        openapi: "3.1.0",
        info,
        servers: [{ url: serverUrl.replace(/\/+$/, ""), description: "The deployed API Gateway stage" }],
        paths,
    };
}
