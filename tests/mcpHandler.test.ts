/** The MCP surface driven through the handler with proxy events, as API Gateway sends them after the authorizer. */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import { expect } from "chai";
import { handler } from "../handler";
import { APP_CLIENT_ID_ENV, MCP_CLIENT_ID_ENV } from "../handler/auth";
import { logSink } from "../handler/log";

const MCP_CLIENT_ID = "test-mcp-client";
const CLAIMS = { sub: "user-sub-1", token_use: "access", client_id: MCP_CLIENT_ID, scope: "https://api.example/mcp/mcp", username: "john" };
const PING = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" });

function mcpEvent(headers: Record<string, string>, body: string = PING): APIGatewayProxyEvent {
    return {
        httpMethod: "POST",
        resource: "/mcp",
        path: "/mcp",
        body,
        isBase64Encoded: false,
        headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream", ...headers },
        multiValueHeaders: {},
        pathParameters: null,
        queryStringParameters: null,
        multiValueQueryStringParameters: null,
        stageVariables: null,
        requestContext: { requestId: "gateway-request-1", authorizer: { claims: CLAIMS } } as unknown as APIGatewayProxyEvent["requestContext"],
    };
}

/** Runs the handler with the MCP surface on, returning its result and the levels of the log lines it wrote. */
async function call(event: APIGatewayProxyEvent): Promise<{ result: APIGatewayProxyResult; levels: string[] }> {
    const lines: string[] = [];
    const write = logSink.write;
    const env = { mcp: process.env[MCP_CLIENT_ID_ENV], app: process.env[APP_CLIENT_ID_ENV] };
    logSink.write = (line) => lines.push(line);
    process.env[MCP_CLIENT_ID_ENV] = MCP_CLIENT_ID;
    process.env[APP_CLIENT_ID_ENV] = "test-app-client";
    try {
        const result = await handler(event, { awsRequestId: "lambda-request-1" } as Context);
        return { result, levels: lines.map((l) => (JSON.parse(l) as { level: string }).level) };
    } finally {
        logSink.write = write;
        restore(MCP_CLIENT_ID_ENV, env.mcp);
        restore(APP_CLIENT_ID_ENV, env.app);
    }
}

function restore(name: string, value: string | undefined): void {
    if (value === undefined) {
        delete process.env[name];
    } else {
        process.env[name] = value;
    }
}

describe("MCP handler", () => {
    it("answers a ping with an empty result", async () => {
        const { result } = await call(mcpEvent({ Host: "api.example.com" }));
        expect(result.statusCode).to.equal(200);
        expect(JSON.parse(result.body)).to.deep.equal({ jsonrpc: "2.0", id: 1, result: {} });
    });

    // RFC 9112 §3.2: a request whose Host has an invalid value gets 400; it used to throw building the URL (500).
    for (const host of ["a b", "[", "host:no-port"]) {
        it(`answers 400 with a JSON-RPC error, not 500, to the invalid Host ${JSON.stringify(host)}`, async () => {
            const { result, levels } = await call(mcpEvent({ Host: host }));
            expect(result.statusCode, result.body).to.equal(400);
            const body = JSON.parse(result.body) as { jsonrpc: string; id: unknown; error: { code: number; message: string } };
            expect(body.jsonrpc).to.equal("2.0");
            expect(body.id).to.equal(null);
            expect(body.error.code).to.equal(-32600);
            expect(body.error.message).to.include("Host");
            expect(levels, "no error logged").to.not.include("ERROR");
        });
    }
});
