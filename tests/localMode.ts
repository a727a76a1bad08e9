/** What every local-mode test shares: the fixture stack (never the user's), quiet logs, and a clean environment after. */
import * as path from "node:path";
import { logSink } from "../handler/log";
import { startLocal, type LocalOptions, type LocalServer } from "../local/server";

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

/**
 * Local mode for the enclosing describe: started in `before` with `options()` (read then, so earlier `before` hooks
 * may supply values such as a document host's origin), on port 0 and the fixture stack unless they say otherwise,
 * with its logs silenced; closed in `after`, leaving the handler's environment clean. Returns the running server.
 */
export function localModeForSuite(options: () => LocalOptions = () => ({})): () => LocalServer {
    let local: LocalServer | undefined;
    let restoreLogs = (): void => undefined;
    before(async () => {
        local = await startLocal({ port: 0, stackFile: LOCAL_STACK_FILE, ...options() });
        restoreLogs = silenceLogs();
    });
    after(async () => {
        restoreLogs();
        await local?.close();
        clearHandlerEnv();
    });
    return () => {
        if (local === undefined) {
            throw new Error("local mode is not started yet: read it inside a test or a later hook");
        }
        return local;
    };
}
