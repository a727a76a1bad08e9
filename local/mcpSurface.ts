/**
 * What the deployed API adds for MCP, for local mode's gateway: the scope /mcp requires, the 401 challenge and the
 * discovery documents (RFC 9728 Protected Resource Metadata, RFC 8414 Authorization Server Metadata), built by the
 * same pure functions the stack's MOCK integrations serve: the OAuth facade under the API, and local mode's keys.
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

/** The surface for the API at `apiUrl`, its Cognito-shaped server's issuer (whose keys it names) at `issuer`. */
export function mcpSurface(apiUrl: string, issuer: string): McpSurface {
    const scope = mcpScope(apiUrl);
    const documents = discoveryDocuments(apiUrl, scope, `${issuer}/.well-known/jwks.json`);
    return { serverUrl: mcpServerUrl(apiUrl), scope, challenge: bearerChallenge(apiUrl, scope), documents: new Map(Object.entries(documents)) };
}
