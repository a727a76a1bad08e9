/** What every endpoint of the facade works with. */
import type { APIGatewayProxyResult } from "aws-lambda";
import type { ClientAuthentication } from "./clientAuthentication";
import type { ClientDocuments } from "./clientDocuments";
import { isAllowedClientId } from "./clientIdPatterns";
import { DocumentFetchError } from "./documentError";
import { errorPage } from "./responses";
import type { FacadeSettings } from "./settings";
import type { UsedTokens } from "./usedTokens";

export interface FacadeContext {
    readonly settings: FacadeSettings;
    readonly documents: ClientDocuments;
    /** Verifies a CIMD client's private_key_jwt assertions (its key sets and the jti it has seen). */
    readonly clientAuth: ClientAuthentication;
    /** Milliseconds since the epoch. */
    readonly clock: () => number;
    /** POSTs a form to Cognito (token, revoke); injectable for tests. */
    readonly post: (url: string, form: URLSearchParams, headers: Readonly<Record<string, string>>) => Promise<Response>;
    /** Consent tokens spent in this warm instance (consent.ts). */
    readonly usedConsents: UsedTokens;
}

/**
 * How a client_id is served: a CIMD client (an allow-listed URL, or one matching an allow-listed pattern) signs in through the shadow app client; a
 * pre-registered one (the MCP app client) through its own. Anything else is unknown.
 */
export type ClientKind = "cimd" | "static" | "unknown";

export function clientKind(settings: FacadeSettings, clientId: string): ClientKind {
    if (isAllowedClientId(settings.clientMetadataUrls, clientId)) {
        return "cimd";
    }
    return settings.staticClients.has(clientId) ? "static" : "unknown";
}

/**
 * The client's registered redirect URIs now: the static client's list or its (cached or refetched) document. An
 * unknown client, or a document that cannot be used, gets an error page (400 invalid_client); `unknownClient` is
 * that page's text for an unknown client, which /authorize and /callback word differently.
 */
export async function registeredRedirectUris(context: FacadeContext, clientId: string, unknownClient: string): Promise<{ readonly uris: readonly string[]; readonly clientName?: string } | { readonly page: APIGatewayProxyResult }> {
    const kind = clientKind(context.settings, clientId);
    if (kind === "static") {
        return { uris: context.settings.staticClients.get(clientId) ?? [] };
    }
    if (kind === "unknown") {
        return { page: errorPage(400, "invalid_client", unknownClient) };
    }
    try {
        const document = await context.documents.get(clientId);
        return { uris: document.redirectUris, clientName: document.clientName };
    } catch (error) {
        if (error instanceof DocumentFetchError) {
            return { page: errorPage(400, "invalid_client", `The client's metadata document cannot be used: ${error.message}.`) };
        }
        throw error;
    }
}
