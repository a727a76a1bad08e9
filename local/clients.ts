/**
 * The app clients of local mode's user pool, and how the token and revocation endpoints authenticate them:
 * RFC 6749 §2.3.1 (client_secret_basic, client_secret_post) for a confidential client, and only its client_id
 * (token_endpoint_auth_method "none", RFC 7591 §2) for a public one, which PKCE then protects.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

export interface LocalClient {
    readonly id: string;
    /** Undefined for a public client (no secret; Cognito's app client without one). */
    readonly secret?: string;
    /** Exact redirect URIs, as registered on the Cognito app client. */
    readonly callbackUrls: readonly string[];
    /** Scopes the client may be granted. */
    readonly scopes: readonly string[];
    /** The stack setting that registers its callback URLs, named on the redirect_mismatch page. Default: callbackUrl. */
    readonly callbackKey?: "callbackUrl" | "mcpCallbackUrl";
    /** Refuse an authorization request without an S256 code_challenge (the MCP client: MCP 2025-11-25, Authorization › PKCE). */
    readonly pkceRequired?: boolean;
    /**
     * Cognito's refresh token rotation (RefreshTokenRotationType): a refresh answers with a new refresh token, and the
     * one sent stops working `retryGracePeriodSeconds` after its first use. Undefined: no rotation (Cognito's default).
     */
    readonly refreshTokenRotation?: { readonly retryGracePeriodSeconds: number };
}

/** Compares secrets in constant time, whatever their lengths. */
export function sameSecret(a: string, b: string): boolean {
    const digest = (s: string) => createHash("sha256").update(s).digest();
    return timingSafeEqual(digest(a), digest(b));
}

export type ClientCheck =
    | { readonly ok: true; readonly client: LocalClient }
    | { readonly ok: false; readonly status: number; readonly body: object; readonly headers?: Record<string, string> };

/** The client that `req` and its `form` authenticate as, or the error Cognito answers. */
export function authenticateClient(req: IncomingMessage, form: Readonly<Record<string, string>>, clients: readonly LocalClient[]): ClientCheck {
    const basic = req.headers.authorization?.match(/^Basic\s+(.+)$/i);
    const invalid = (description: string): ClientCheck => ({
        ok: false,
        status: 401,
        body: { error: "invalid_client", error_description: description },
        ...(basic ? { headers: { "WWW-Authenticate": 'Basic realm="token"' } } : {}),
    });
    let id: string | undefined;
    let secret: string | undefined;
    if (basic) {
        if (form.client_secret !== undefined) {
            return { ok: false, status: 400, body: { error: "invalid_request", error_description: "Use one client authentication method." } };
        }
        const decoded = Buffer.from(basic[1], "base64").toString("utf8");
        const colon = decoded.indexOf(":");
        if (colon < 0) {
            return invalid("Malformed Basic credentials.");
        }
        // RFC 6749 §2.3.1: both parts are form-urlencoded before Base64.
        try {
            id = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, " "));
            secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, " "));
        } catch {
            return invalid("Malformed Basic credentials.");
        }
    } else {
        id = form.client_id;
        secret = form.client_secret;
    }
    // Every client is compared, so that timing does not tell which id exists.
    const matches = clients.map((client) => id !== undefined && sameSecret(id, client.id));
    const client = clients.find((_, i) => matches[i]);
    if (client === undefined) {
        return invalid("Client authentication failed.");
    }
    if (client.secret === undefined ? secret !== undefined && secret !== "" : secret === undefined || !sameSecret(secret, client.secret)) {
        return invalid("Client authentication failed.");
    }
    if (form.client_id !== undefined && form.client_id !== client.id) {
        return invalid("client_id does not match the authenticated client.");
    }
    return { ok: true, client };
}
