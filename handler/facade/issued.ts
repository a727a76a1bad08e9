/**
 * The facade's "token issued" line: after Cognito answered a code exchange or a refresh with tokens, which client they
 * went to (a CIMD client's client_id URL, or a static client's id) and the sign-in they belong to (the access token's
 * `origin_jti`). The handler's audit line (handler/log.ts, CallLog) names the Cognito app client, for a CIMD client
 * the shadow client every such client shares, and the same `signIn`: this line is what ties a call to its CIMD client.
 * Never a token: only that one claim, read from it.
 */
import type { APIGatewayProxyResult } from "aws-lambda";
import { logInfo } from "../log";

export interface TokenIssuedLog {
    readonly requestId: string;
    /** The client the tokens went to: its client_id URL (CIMD) or its Cognito app client id (static). */
    readonly clientId: string;
    /** The access token's `origin_jti`, which every token of one sign-in shares and the audit line's `signIn` repeats. */
    readonly signIn?: string;
    readonly grantType: "authorization_code" | "refresh_token";
}

/**
 * The `origin_jti` of the access token in a token response's JSON body; undefined when there is none. Read without
 * checking the signature: the body is Cognito's own answer, over TLS from its token endpoint, and the value is only
 * logged, never trusted for a decision.
 */
export function signInOf(body: string): string | undefined {
    try {
        const record: unknown = JSON.parse(body);
        const token = typeof record === "object" && record !== null ? (record as { access_token?: unknown }).access_token : undefined;
        const payload = typeof token === "string" ? token.split(".")[1] : undefined;
        if (payload === undefined) {
            return undefined;
        }
        const claims: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
        const jti = typeof claims === "object" && claims !== null ? (claims as { origin_jti?: unknown }).origin_jti : undefined;
        // A UUID in Cognito's tokens; anything long or odd is left out rather than written to the log.
        return typeof jti === "string" && /^[A-Za-z0-9-]{1,64}$/.test(jti) ? jti : undefined;
    } catch {
        return undefined;
    }
}

/** Writes the line when `result` is the tokens Cognito issued (a 200 relayed to the client); nothing otherwise. */
export function logTokenIssued(result: APIGatewayProxyResult, entry: Omit<TokenIssuedLog, "signIn">): void {
    if (result.statusCode !== 200) {
        return;
    }
    const line: TokenIssuedLog = { ...entry, signIn: signInOf(result.body) };
    logInfo("token issued", line);
}
