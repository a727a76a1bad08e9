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

/** Where lines go; tests replace it to read them. */
export const logSink = { write: (line: string): void => void process.stdout.write(`${line}\n`) };

export function logRequest(entry: RequestLog): void {
    logSink.write(JSON.stringify({ level: "INFO", timestamp: new Date().toISOString(), message: "request", ...entry }));
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
