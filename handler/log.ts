/**
 * One JSON line per request on stdout. Written directly rather than through `console`, so the line stays a
 * top-level JSON object that CloudWatch Logs Insights can query by field, whatever the Lambda log format.
 * Never pass tokens, secrets or request bodies here.
 */

export interface RequestLog {
    readonly requestId: string;
    readonly route: string;
    readonly method: string;
    readonly status: number;
    readonly latencyMs: number;
    /** The caller's Cognito `sub`, when the request got that far. */
    readonly sub?: string;
}

/**
 * The audit line: one per call of a route, on either surface (a REST request that reached its route, or an MCP
 * tools/call). Who called what, from which client, and how it ended; never arguments, results or tokens.
 * The stack's CloudWatch Logs Insights queries (infra/auditQueries.ts) read these fields.
 */
export interface CallLog {
    readonly requestId: string;
    readonly surface: "rest" | "mcp";
    /** The route's operationId, which is also the tool's name. */
    readonly route: string;
    readonly sub: string;
    readonly username?: string;
    /** The Cognito app client the token was issued to (the GPT client, the MCP client, or the OAuth facade's). */
    readonly clientId: string;
    /** The sign-in the token belongs to (`origin_jti`): the facade's "token issued" line names its CIMD client. */
    readonly signIn?: string;
    readonly outcome: CallOutcome;
    /** The HTTP status, for a REST call. */
    readonly status?: number;
    readonly latencyMs: number;
}

/**
 * ok: the operation answered; refused: the caller is in none of the route's groups; invalid: the arguments did not
 * match the schema; failed: the operation refused the request (its own 4xx); error: something broke (logged apart).
 */
export type CallOutcome = "ok" | "refused" | "invalid" | "failed" | "error";

/** Where lines go; tests replace it to read them. */
export const logSink = { write: (line: string): void => void process.stdout.write(`${line}\n`) };

/** One INFO line: its message, then `fields` (which must hold no token, secret or body). */
export function logInfo(message: string, fields: object): void {
    logSink.write(JSON.stringify({ level: "INFO", timestamp: new Date().toISOString(), message, ...fields }));
}

export function logRequest(entry: RequestLog): void {
    logInfo("request", entry);
}

/** The audit line's fields that say who called: the caller's identity and client, nothing from the request. */
export function callerFields(caller: { readonly sub: string; readonly username?: string; readonly clientId: string; readonly signIn?: string }): Pick<CallLog, "sub" | "username" | "clientId" | "signIn"> {
    return {
        sub: caller.sub,
        ...(caller.username === undefined ? {} : { username: caller.username }),
        clientId: caller.clientId,
        ...(caller.signIn === undefined ? {} : { signIn: caller.signIn }),
    };
}

export function logCall(entry: CallLog): void {
    logInfo("call", entry);
}

export function logError(requestId: string, route: string, error: unknown): void {
    const err = error instanceof Error ? error : new Error(`non-Error thrown: ${typeof error}`);
    logSink.write(JSON.stringify({
        level: "ERROR",
        timestamp: new Date().toISOString(),
        message: "unhandled error",
        requestId,
        route,
        errorType: err.name,
        errorMessage: err.message,
        stack: err.stack,
    }));
}
