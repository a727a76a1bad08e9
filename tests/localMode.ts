/** What every local-mode test shares: the fixture stack (never the user's), quiet logs, and a clean environment after. */
import * as path from "node:path";
import { logSink } from "../handler/log";

/** Pulumi.yaml's defaults with nothing set, so that a user's own Pulumi.dev.yaml never changes what tests see. */
export const LOCAL_STACK_FILE = path.join(__dirname, "fixtures", "local-stack.yaml");

/**
 * Silences the handler's per-request log lines; the function returned puts the sink back. Call it after startLocal,
 * which puts a batching writer of its own in place (and the earlier one back when it closes).
 */
export function silenceLogs(): () => void {
    const write = logSink.write;
    logSink.write = () => undefined;
    return () => {
        logSink.write = write;
    };
}

/** Removes what startLocal puts in the handler's environment, so the next test starts from none. */
export function clearHandlerEnv(): void {
    delete process.env.APP_CLIENT_ID;
    delete process.env.MCP_CLIENT_ID;
    delete process.env.MCP_SHADOW_CLIENT_ID;
    delete process.env.CORS_ALLOW_ORIGIN;
}
