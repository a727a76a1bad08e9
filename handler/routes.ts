/**
 * The route table: what the GPT can call. The infrastructure builds API Gateway resources, Lambda permissions
 * and the OpenAPI schema from it; the handler dispatches on it. Metadata only: importing it pulls in no
 * handler code.
 */

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** A JSON Schema (the subset OpenAPI 3.1 embeds). */
export type JsonSchema = { readonly [keyword: string]: unknown };

export interface Route {
    readonly method: HttpMethod;
    /** Path under the stage, starting with "/", segments of letters, digits, "_", "-" or ".". */
    readonly path: string;
    /** The operation's name for the GPT; unique across the table. */
    readonly operationId: string;
    readonly summary: string;
    /** What the GPT reads to decide when to call this route; at most 300 characters. */
    readonly description: string;
    readonly response: { readonly description: string; readonly schema: JsonSchema };
}

export const routes: readonly Route[] = [
    {
        method: "POST",
        path: "/my_route",
        operationId: "postSuccess",
        summary: "Returns a success message.",
        description: "Endpoint to check the success status.",
        response: {
            description: "A JSON object indicating success.",
            schema: {
                type: "object",
                properties: { success: { type: "boolean", example: true } },
                required: ["success"],
            },
        },
    },
];
