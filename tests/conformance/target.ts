/**
 * What the conformance suite runs against: an MCP URL and a bearer token that URL accepts.
 *
 * Today the target is the real handler behind local mode's API Gateway emulation (local/gateway.ts, which
 * checks the token and builds the proxy event), with `/mcp` routed for every method as the stack's `ANY`
 * method is, and a token whose claims are what Cognito would issue to the MCP client. When local mode serves
 * `/<stage>/mcp` itself, replace the body of `startTarget` with: start local mode, sign in with its MCP client,
 * return its `mcpServerUrl` and the access token. Nothing else changes.
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { JWTPayload } from "jose";
import { handler } from "../../handler";
import { APP_CLIENT_ID_ENV, MCP_CLIENT_ID_ENV } from "../../handler/auth";
import { MCP_PATH } from "../../handler/dispatch";
import { routeList, type HttpMethod, type RouteEntry } from "../../handler/routes";
import { createGateway } from "../../local/gateway";

export interface Target {
    /** The MCP endpoint, e.g. http://127.0.0.1:1234/local/mcp. */
    readonly mcpUrl: string;
    /** An access token the endpoint accepts. */
    readonly token: string;
    readonly close: () => Promise<void>;
}

const STAGE = "local";
const MCP_CLIENT_ID = "conformance-mcp-client";
const MCP_SCOPE = "http://127.0.0.1/local/mcp/mcp";
const METHODS: readonly HttpMethod[] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/** Starts the target; the one place to change to aim the suite at real local mode. */
export async function startTarget(): Promise<Target> {
    const token = randomBytes(24).toString("base64url");
    // What the Cognito authorizer would hand the function for an MCP-client access token with the MCP scope.
    const claims: JWTPayload = { sub: "conformance-user", token_use: "access", client_id: MCP_CLIENT_ID, scope: MCP_SCOPE, username: "conformance" };
    const restoreEnv = setEnv({ [MCP_CLIENT_ID_ENV]: MCP_CLIENT_ID, [APP_CLIENT_ID_ENV]: "conformance-gpt-client" });

    // /mcp is one `ANY` method in the stack; the gateway emulation routes by (path, method), so list each verb.
    const template = routeList()[0];
    const mcpRoutes: RouteEntry[] = METHODS.map((method) => ({ ...template, operationId: "mcp", method, path: MCP_PATH }));
    const serve = createGateway({
        stageName: STAGE,
        routes: mcpRoutes,
        scopes: [MCP_SCOPE],
        verifyAccessToken: (presented) => Promise.resolve(presented === token ? claims : undefined),
        handler,
        lambdaTimeoutSeconds: 30,
    });
    const server = createServer((req, res) => {
        if (!serve(req, res, req.url ?? "/")) {
            res.writeHead(404, { "Content-Type": "application/json" });
            res.end(JSON.stringify({ message: "Not Found" }));
        }
    });
    const port = await listen(server);
    return {
        mcpUrl: `http://127.0.0.1:${port}/${STAGE}${MCP_PATH}`,
        token,
        close: async () => {
            await closeServer(server);
            restoreEnv();
        },
    };
}

/** Sets environment variables and returns a function that puts the previous values back. */
function setEnv(values: Record<string, string>): () => void {
    const previous = Object.fromEntries(Object.keys(values).map((name) => [name, process.env[name]]));
    Object.assign(process.env, values);
    return () => {
        for (const [name, value] of Object.entries(previous)) {
            if (value === undefined) {
                delete process.env[name];
            } else {
                process.env[name] = value;
            }
        }
    };
}

/** Listens on an ephemeral loopback port and returns it. */
export function listen(server: Server): Promise<number> {
    return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
    });
}

/** Stops listening and ends every connection, idle or not, so that nothing outlives the test. */
export function closeServer(server: Server): Promise<void> {
    return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
    });
}
