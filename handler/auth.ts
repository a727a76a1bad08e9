/**
 * Defense in depth behind the API Gateway authorizer: the handler also refuses requests whose claims are
 * missing, that come from an ID token, or that were issued to another app client of the pool.
 */
import { HttpError } from "./http";
import type { Request } from "./event";

/** Who is calling, from the access token's claims. */
export interface Caller {
    readonly sub: string;
    readonly username: string | undefined;
    readonly scopes: readonly string[];
    /** The Cognito groups the user was in when the token was issued (`cognito:groups`). */
    readonly groups: readonly string[];
    /** The app client the token was issued to. */
    readonly clientId: string;
    /**
     * Shared by every token of one sign-in (Cognito's `origin_jti`), across refreshes: the audit line carries it,
     * and the OAuth facade's "token issued" line ties it to the CIMD client's URL.
     */
    readonly signIn: string | undefined;
}

/**
 * `cognito:groups` as the function receives it. API Gateway's Cognito authorizer hands every claim over as a string,
 * a list joined with commas (`finance,hr`); some integrations show it as `[finance hr]`. Route table group names hold
 * no comma, space or bracket (infra/routeTable.ts), so the split is unambiguous for the groups that matter.
 */
export function groupsClaim(value: string | undefined): string[] {
    return (value ?? "").replace(/^\[|\]$/g, "").split(/[,\s]+/).filter((g) => g !== "");
}

/** The app client ChatGPT's GPT Action uses; the infrastructure sets it. */
export const APP_CLIENT_ID_ENV = "APP_CLIENT_ID";
/** The app client MCP clients use; set only when the MCP surface is on. */
export const MCP_CLIENT_ID_ENV = "MCP_CLIENT_ID";
/**
 * The OAuth facade's shadow app client, through which every CIMD client (ChatGPT's client_id URL) signs in: its
 * tokens are MCP tokens too. Set only when the facade is on.
 */
export const MCP_SHADOW_CLIENT_ID_ENV = "MCP_SHADOW_CLIENT_ID";

/** The caller of a request whose token must have been issued to one of `appClientIds`. */
export function authenticate(request: Request, appClientIds: string | readonly string[]): Caller {
    const claims = request.claims;
    if (claims === undefined || !claims.sub) {
        throw new HttpError(401, "unauthorized", "No verified token claims reached the function; call through the API with a Bearer access token.");
    }
    if (claims.token_use !== "access") {
        throw new HttpError(401, "unauthorized", "Send an OAuth access token, not an ID token.");
    }
    if (!(typeof appClientIds === "string" ? [appClientIds] : appClientIds).includes(claims.client_id ?? "")) {
        throw new HttpError(403, "forbidden", "This token was issued to another app client.");
    }
    return {
        sub: claims.sub,
        username: claims.username,
        scopes: (claims.scope ?? "").split(" ").filter((s) => s !== ""),
        groups: groupsClaim(claims["cognito:groups"]),
        clientId: claims.client_id ?? "",
        signIn: claims.origin_jti,
    };
}
