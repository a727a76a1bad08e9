/** MCP requests to the handler as API Gateway hands them over after its Cognito authorizer, for the MCP suites. */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { handler } from "../handler";
import { logSink } from "../handler/log";
import { proxyEvent } from "./proxyEvent";

export const GPT_CLIENT = "gpt-client";
export const MCP_CLIENT = "mcp-client";
const MCP_SCOPE = "https://api.example.com/mcp/tools";
const ACCEPT = "application/json, text/event-stream";

export interface Rpc {
    jsonrpc: "2.0";
    id?: number | string | null;
    result?: Record<string, unknown>;
    error?: { code: number; message: string; data?: unknown };
}

export function event(options: { method?: string; path?: string; body?: string; clientId?: string; headers?: Record<string, string> }): APIGatewayProxyEvent {
    const path = options.path ?? "/mcp";
    return proxyEvent({
        method: options.method ?? "POST",
        resource: path,
        path: `/Prod${path}`,
        body: options.body ?? null,
        headers: { "Content-Type": "application/json", Accept: ACCEPT, ...options.headers },
        claims: { sub: "user-1", token_use: "access", client_id: options.clientId ?? MCP_CLIENT, scope: MCP_SCOPE },
    });
}

export async function quietly(e: APIGatewayProxyEvent): Promise<{ result: APIGatewayProxyResult; logs: string[] }> {
    const logs: string[] = [];
    const write = logSink.write;
    logSink.write = (line) => logs.push(line);
    try {
        return { result: await handler(e), logs };
    } finally {
        logSink.write = write;
    }
}

/** Sends one JSON-RPC message; returns the HTTP result and the parsed answer (undefined for an empty body). */
export async function rpc(message: unknown, headers: Record<string, string> = {}): Promise<{ result: APIGatewayProxyResult; answer: Rpc | undefined }> {
    const { result } = await quietly(event({ body: typeof message === "string" ? message : JSON.stringify(message), headers }));
    return { result, answer: result.body === "" ? undefined : JSON.parse(result.body) as Rpc };
}

export const request = (method: string, params?: unknown, id = 1) => ({ jsonrpc: "2.0", id, method, ...(params === undefined ? {} : { params }) });


/** For the enclosing describe: the handler's client ids set before each test (and CORS off), removed after. */
export function mcpClientsForSuite(): void {
    beforeEach(() => {
        process.env.APP_CLIENT_ID = GPT_CLIENT;
        process.env.MCP_CLIENT_ID = MCP_CLIENT;
        delete process.env.CORS_ALLOW_ORIGIN;
    });
    after(() => {
        delete process.env.APP_CLIENT_ID;
        delete process.env.MCP_CLIENT_ID;
    });
}
