/**
 * What the deployed API adds for MCP, for local mode's gateway: the scope /mcp requires, the 401 challenge and the
 * discovery documents (RFC 9728 Protected Resource Metadata, RFC 8414 Authorization Server Metadata), built by the
 * same pure functions the stack's MOCK integrations serve, pointing at local mode's own OAuth endpoints.
 */
import { bearerChallenge, discoveryDocuments, mcpScope, mcpServerUrl } from "../infra/mcpMetadata";

export interface McpSurface {
    /** The MCP server's URL: RFC 9728's `resource`, the resource server's identifier. */
    readonly serverUrl: string;
    /** The one scope /mcp accepts. */
    readonly scope: string;
    /** The whole `WWW-Authenticate` value of every gateway 401 (the deployed gateway response is API-wide). */
    readonly challenge: string;
    /** Public JSON documents by path under the stage. */
    readonly documents: ReadonlyMap<string, string>;
}

/**
 * The surface for the API at `apiUrl`, its OAuth server at `authorityUrl`; with `facade`, the authorization server
 * metadata points at the OAuth facade under the API instead (infra/mcpMetadata.ts).
 */
export function mcpSurface(apiUrl: string, authorityUrl: string, options: { readonly facade?: boolean } = {}): McpSurface {
    const scope = mcpScope(apiUrl);
    const documents = discoveryDocuments(apiUrl, scope, {
        authorizationEndpoint: `${authorityUrl}/oauth2/authorize`,
        tokenEndpoint: `${authorityUrl}/oauth2/token`,
        revocationEndpoint: `${authorityUrl}/oauth2/revoke`,
        jwksUri: `${authorityUrl}/.well-known/jwks.json`,
    }, { facade: options.facade === true });
    return { serverUrl: mcpServerUrl(apiUrl), scope, challenge: bearerChallenge(apiUrl, scope), documents: new Map(Object.entries(documents)) };
}
