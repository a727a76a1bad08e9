/**
 * The MCP surface: `POST /mcp` speaks MCP's Streamable HTTP transport (MCP 2025-11-25, "Base Protocol ›
 * Transports") with the official SDK's Server, stateless (a fresh server per request, no session id) and with JSON
 * responses rather than SSE (the HTTP side is ./mcpExchange.ts). Each route of the table is a tool that runs the same
 * operation, with the same validation, as its REST route. The handler loads this module only for /mcp, so the GPT
 * routes' cold start never pays for the SDK.
 */
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { jsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/types.js";
import type { APIGatewayProxyResult } from "aws-lambda";
import type { Caller } from "./auth";
import { bodyText, validated } from "./body";
import type { Request } from "./event";
import { HttpError } from "./http";
import { logError } from "./log";
import type { Dispatcher } from "./dispatch";
import { exchange, rpcError } from "./mcpExchange";
import type { RouteEntry } from "./routes";
import { fileResource, returnsFiles, serverInstructions, toolDefinition, type ReturnedFile, type ToolDefinition } from "./tools";

const SERVER_INFO = { name: "gpt-action", version: "1.0.0" };

/**
 * The Server checks JSON Schemas only to validate the answers to its own elicitation requests, which a stateless
 * server never sends. Its default validator would build an ajv instance with every format for each Server (each
 * request here), and the bundle leaves ajv out (infra/stubs/noAjv.ts), so the Server gets this one.
 */
const NO_ELICITATION: jsonSchemaValidator = {
    getValidator() {
        throw new Error("this MCP server sends no elicitation requests, so it validates no JSON Schema");
    },
};

/** Tool definitions and instructions are derived once per route table, when first needed (a warm Lambda reuses them). */
const toolLists = new WeakMap<readonly RouteEntry[], readonly ToolDefinition[]>();
const instructionsOf = new WeakMap<readonly RouteEntry[], string>();

function instructionsFor(routes: readonly RouteEntry[]): string {
    let instructions = instructionsOf.get(routes);
    if (instructions === undefined) {
        instructions = serverInstructions(SERVER_INFO.name, routes);
        instructionsOf.set(routes, instructions);
    }
    return instructions;
}

function toolsOf(routes: readonly RouteEntry[]): readonly ToolDefinition[] {
    let tools = toolLists.get(routes);
    if (tools === undefined) {
        tools = routes.map(toolDefinition);
        toolLists.set(routes, tools);
    }
    return tools;
}

/** Answers one HTTP request to /mcp for an authenticated caller, with `app`'s routes as tools. */
export async function handleMcp(app: Dispatcher, request: Request, caller: Caller, requestId: string): Promise<APIGatewayProxyResult> {
    // Stateless: no stream to open and no session to end (MCP 2025-11-25, Transports: a server MAY answer 405).
    if (request.method !== "POST") {
        return rpcError(405, ErrorCode.ConnectionClosed, "Method not allowed: this server is stateless; send JSON-RPC messages with POST.", { Allow: "POST" });
    }
    // MCP 2025-11-25, Transports › Security Warning: an invalid Origin gets 403. Valid means allowed by the stack's
    // CORS setting (corsAllowOrigin): "*" allows any; one origin allows that one; CORS off allows no browser.
    const origin = request.headers.origin;
    const allowed = process.env.CORS_ALLOW_ORIGIN;
    if (origin !== undefined && allowed !== "*" && origin !== allowed) {
        return rpcError(403, ErrorCode.InvalidRequest, "Forbidden: this Origin is not allowed (corsAllowOrigin).");
    }
    let text: string | undefined;
    try {
        text = bodyText(request);
    } catch (error) {
        if (HttpError.is(error)) {
            return rpcError(error.statusCode, ErrorCode.InvalidRequest, error.message);
        }
        throw error;
    }
    // RFC 9112 §3.2: a Host with an invalid value gets 400.
    if (!URL.canParse(`https://${request.headers.host ?? "localhost"}/mcp`)) {
        return rpcError(400, ErrorCode.InvalidRequest, "Bad Request: invalid Host header.");
    }
    return exchange(mcpServer(app, caller, requestId), request.headers, text ?? "");
}

/** A server that lists the route table's tools and runs them as `caller`. */
function mcpServer(app: Dispatcher, caller: Caller, requestId: string): Server {
    const server = new Server(SERVER_INFO, {
        capabilities: { tools: {} },
        instructions: instructionsFor(app.routes),
        jsonSchemaValidator: NO_ELICITATION,
    });
    server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: toolsOf(app.routes).map((tool) => ({ ...tool })) }));
    server.setRequestHandler(CallToolRequestSchema, async ({ params }) => {
        const route = app.routes.find((r) => r.operationId === params.name);
        if (route === undefined) {
            // MCP 2025-11-25, Tools › Error Handling: an unknown tool is a protocol error.
            throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${params.name.slice(0, 100)}. Call tools/list for the available ones.`);
        }
        try {
            const body = route.request === undefined ? undefined : validated(route.request, params.arguments ?? {}, "The arguments do not match the tool's input schema");
            return toolResult(route, await app.run(route.operationId, { body, caller, requestId }));
        } catch (error) {
            // A tool execution error goes back as a result the model can read and correct its call from.
            // The operation may come from the other bundle file, with its own copy of the class.
            if (HttpError.is(error)) {
                return failure(error.message);
            }
            logError(requestId, route.operationId, error);
            return failure(`Something went wrong on our side; quote request id ${requestId} when reporting it.`);
        }
    });
    return server;
}

/**
 * A result as structured content plus its JSON as text (MCP 2025-11-25, Tools › Structured Content), or, for files,
 * one embedded resource each: a text file's text for the model to read, a binary file's bytes (./tools.ts).
 */
function toolResult(route: RouteEntry, value: unknown): CallToolResult {
    if (returnsFiles(route)) {
        const files = (value as { openaiFileResponse: ReturnedFile[] }).openaiFileResponse;
        return {
            content: [
                { type: "text", text: `${files.length} file(s): ${files.map((f) => `${f.name} (${f.mime_type})`).join(", ")}` },
                ...files.map((file) => ({ type: "resource" as const, resource: fileResource(SERVER_INFO.name, route.operationId, file) })),
            ],
        };
    }
    return { structuredContent: value as Record<string, unknown>, content: [{ type: "text", text: JSON.stringify(value) }] };
}

function failure(message: string): CallToolResult {
    return { isError: true, content: [{ type: "text", text: message }] };
}
