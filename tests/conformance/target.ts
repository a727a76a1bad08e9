/**
 * What the conformance suite runs against: local mode itself (the real handler behind the API Gateway and Cognito
 * emulation, from the fixture stack), and an access token of its MCP client, obtained the way an MCP client gets one
 * (PKCE, the MCP scope, RFC 8707 `resource`, a user's sign-in). The suite connects without OAuth, so a proxy
 * (./proxy.ts) adds the token to each request.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mcpScope } from "../../infra/mcpMetadata";
import { startLocal } from "../../local/server";
import { mcpTokens } from "../signIn";
import { LOCAL_STACK_FILE, clearHandlerEnv, silenceLogs } from "../localMode";

export interface Target {
    /** The MCP endpoint, e.g. http://127.0.0.1:1234/Prod/mcp. */
    readonly mcpUrl: string;
    /** An access token the endpoint accepts. */
    readonly token: string;
    readonly close: () => Promise<void>;
}


/** Starts local mode on a free port and signs its test user in with the MCP client. */
export async function startTarget(): Promise<Target> {
    const local = await startLocal({ port: 0, stackFile: LOCAL_STACK_FILE });
    // Local mode batches one log line per request to stdout; the suite's hundreds would drown the test output.
    const restoreLogs = silenceLogs();
    const mcpUrl = local.outputs.mcpServerUrl;
    if (mcpUrl === undefined) {
        await local.close();
        throw new Error("local mode serves no MCP endpoint: the fixture stack must leave mcp on");
    }
    const { access_token: token } = await mcpTokens(local.outputs, mcpScope(local.outputs.apiUrl));
    return {
        mcpUrl,
        token,
        close: async () => {
            restoreLogs();
            await local.close();
            clearHandlerEnv();
        },
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
