/**
 * The OAuth discovery documents an MCP client reads before it signs a user in (MCP 2025-11-25, "Authorization"):
 * Protected Resource Metadata (RFC 9728) for the MCP endpoint, and Authorization Server Metadata (RFC 8414) for an
 * issuer this stack serves, pointing at the OAuth facade in front of Cognito. Cognito publishes only OIDC discovery,
 * without `code_challenge_methods_supported`, and an MCP client must refuse to proceed without it. Pure: the deployed API
 * serves these from MOCK integrations and local mode serves them itself.
 */
import { ASSERTION_ALGORITHMS } from "../handler/facade/clientAuthMethods";
import { facadeUrls, issuerUrl, mcpResourceUrl as mcpServerUrl, mcpToolsScope as mcpScope } from "../handler/facade/paths";

// Defined beside the facade's paths, which the facade needs without this module; named here for the MCP surface.
export { MCP_SCOPE_NAME } from "../handler/facade/paths";
export { mcpScope, mcpServerUrl };

/** Every way a client may authenticate at the token and revocation endpoints (RFC 8414 §2; OIDC Core §9). */
const CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"] as const;

/** Where each document is served, under the API's base URL. */
export const MCP_METADATA_PATHS = {
    /** RFC 9728 §3.1 for a resource at the host's root path, and what WWW-Authenticate points to. */
    protectedResource: ["/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"],
    /**
     * RFC 8414 §3.1 and OIDC Discovery §4 for an issuer at the host's root (a custom domain), and the path-appended
     * OIDC location, the one an MCP client tries for an issuer with a path (the execute-api URL's stage).
     */
    authorizationServer: ["/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"],
} as const;

export interface CognitoEndpoints {
    readonly authorizationEndpoint: string;
    readonly tokenEndpoint: string;
    readonly revocationEndpoint: string;
    readonly jwksUri: string;
}

/** The URL `WWW-Authenticate: Bearer resource_metadata="…"` names on a 401 (RFC 9728 §5.1). */
export function protectedResourceMetadataUrl(apiUrl: string): string {
    return `${issuerUrl(apiUrl)}${MCP_METADATA_PATHS.protectedResource[0]}`;
}


/** The 401's challenge: where the metadata is and which scope to ask for (MCP 2025-11-25, Authorization › Scope Selection). */
export function bearerChallenge(apiUrl: string, scope: string): string {
    return `Bearer resource_metadata="${protectedResourceMetadataUrl(apiUrl)}", scope="${scope}"`;
}

/** RFC 9728 §2: the MCP endpoint, its one authorization server (this API's base URL as issuer) and scope. */
export function protectedResourceMetadata(apiUrl: string, scope: string): object {
    return {
        resource: mcpServerUrl(apiUrl),
        authorization_servers: [issuerUrl(apiUrl)],
        scopes_supported: [scope],
        bearer_methods_supported: ["header"],
        resource_name: "gpt-action MCP server",
    };
}

/**
 * RFC 8414 §2 for issuer `apiUrl`, with OIDC Discovery's required fields so the OIDC location holds a valid
 * document too. The endpoints are the OAuth facade's (handler/facade), in front of Cognito: it accepts Client ID
 * Metadata Documents (draft-ietf-oauth-client-id-metadata-document §6) and returns `iss` on every authorization
 * response (RFC 9207 §3), the exact `issuer` here (both from issuerUrl), which RFC 9207 §2.4 has the client compare.
 * Tokens still come from Cognito, signed with the pool's keys (`jwksUri`); MCP clients read only the access
 * token's audience-bound scope, and the MCP scope brings no ID token.
 */
export function authorizationServerMetadata(apiUrl: string, scope: string, jwksUri: string): object {
    const facade = facadeUrls(apiUrl);
    return {
        issuer: issuerUrl(apiUrl),
        authorization_endpoint: facade.authorize,
        token_endpoint: facade.token,
        revocation_endpoint: facade.revoke,
        jwks_uri: jwksUri,
        scopes_supported: [scope],
        response_types_supported: ["code"],
        response_modes_supported: ["query"],
        grant_types_supported: ["authorization_code", "refresh_token"],
        code_challenge_methods_supported: ["S256"],
        // A static confidential client's secret either way (Cognito checks it); a client with a metadata document by the
        // method its document names: a private_key_jwt assertion (RFC 7523, checked by the facade) or none (PKCE only).
        token_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
        token_endpoint_auth_signing_alg_values_supported: [...ASSERTION_ALGORITHMS],
        revocation_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
        revocation_endpoint_auth_signing_alg_values_supported: [...ASSERTION_ALGORITHMS],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
        authorization_response_iss_parameter_supported: true,
        client_id_metadata_document_supported: true,
    };
}

/** Every public discovery document (JSON text) by its path under the API's base URL. */
export function discoveryDocuments(apiUrl: string, scope: string, jwksUri: string): Record<string, string> {
    const resource = JSON.stringify(protectedResourceMetadata(apiUrl, scope));
    const server = JSON.stringify(authorizationServerMetadata(apiUrl, scope, jwksUri));
    return Object.fromEntries([
        ...MCP_METADATA_PATHS.protectedResource.map((path): [string, string] => [path, resource]),
        ...MCP_METADATA_PATHS.authorizationServer.map((path): [string, string] => [path, server]),
    ]);
}
