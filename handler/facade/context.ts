/** What every endpoint of the facade works with. */
import type { ClientDocuments } from "./clientDocuments";
import type { FacadeSettings } from "./settings";

export interface FacadeContext {
    readonly settings: FacadeSettings;
    readonly documents: ClientDocuments;
    /** Milliseconds since the epoch. */
    readonly clock: () => number;
    /** POSTs a form to Cognito (token, revoke); injectable for tests. */
    readonly post: (url: string, form: URLSearchParams, headers: Readonly<Record<string, string>>) => Promise<Response>;
}

/**
 * How a client_id is served: a CIMD client (an allow-listed URL) signs in through the shadow app client; a
 * pre-registered one (the MCP app client) through its own. Anything else is unknown.
 */
export type ClientKind = "cimd" | "static" | "unknown";

export function clientKind(settings: FacadeSettings, clientId: string): ClientKind {
    if (settings.clientMetadataUrls.includes(clientId)) {
        return "cimd";
    }
    return settings.staticClients.has(clientId) ? "static" : "unknown";
}
