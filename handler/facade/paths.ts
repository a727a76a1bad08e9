/**
 * Where the OAuth facade lives under the API's base URL, and the issuer identifier every document and response
 * names. One definition, so that the RFC 9207 `iss` of an authorization response and the RFC 8414 `issuer` of the
 * metadata are the same string by construction (RFC 9207 §2.4: the client compares them exactly).
 */

/** Every facade path starts here; the route table may not use it (infra/routeTable.ts). */
export const FACADE_PREFIX = "/oauth";

export const FACADE_PATHS = {
    authorize: `${FACADE_PREFIX}/authorize`,
    callback: `${FACADE_PREFIX}/callback`,
    /** The consent page's Allow / Deny (consent.ts); the page itself is /authorize's answer for a CIMD client. */
    consent: `${FACADE_PREFIX}/consent`,
    token: `${FACADE_PREFIX}/token`,
    revoke: `${FACADE_PREFIX}/revoke`,
} as const;

/** The method each path answers; anything else is not a route of the API. */
export const FACADE_METHODS: Readonly<Record<string, "GET" | "POST">> = {
    [FACADE_PATHS.authorize]: "GET",
    [FACADE_PATHS.callback]: "GET",
    [FACADE_PATHS.consent]: "POST",
    [FACADE_PATHS.token]: "POST",
    [FACADE_PATHS.revoke]: "POST",
};

/** The issuer identifier for the API at `apiUrl`: the URL without a trailing slash (RFC 8414 §2). */
export function issuerUrl(apiUrl: string): string {
    return apiUrl.replace(/\/+$/, "");
}

/**
 * The MCP server's URL for the API at `apiUrl`: RFC 9728's `resource`, what a client connects to and echoes as
 * RFC 8707 `resource` (the one the facade accepts), and the Cognito resource server's identifier.
 */
export const mcpResourceUrl = (apiUrl: string): string => `${issuerUrl(apiUrl)}/mcp`;

/** The resource server's one scope; an MCP access token carries `<resource server identifier>/<this>` (Cognito's format). */
export const MCP_SCOPE_NAME = "tools";

/** The one scope /mcp requires and the facade grants. */
export const mcpToolsScope = (apiUrl: string): string => `${mcpResourceUrl(apiUrl)}/${MCP_SCOPE_NAME}`;

/** The facade's absolute endpoint URLs for the API at `apiUrl`. */
export function facadeUrls(apiUrl: string): { readonly authorize: string; readonly callback: string; readonly consent: string; readonly token: string; readonly revoke: string } {
    const issuer = issuerUrl(apiUrl);
    return {
        authorize: `${issuer}${FACADE_PATHS.authorize}`,
        callback: `${issuer}${FACADE_PATHS.callback}`,
        consent: `${issuer}${FACADE_PATHS.consent}`,
        token: `${issuer}${FACADE_PATHS.token}`,
        revoke: `${issuer}${FACADE_PATHS.revoke}`,
    };
}
