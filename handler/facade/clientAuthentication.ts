/**
 * Client authentication for a client identified by a metadata document, at the token and revocation endpoints:
 * with the method its document names (clientDocuments.ts). `private_key_jwt` needs a valid assertion (RFC 7523 §2.2);
 * `none` needs nothing but the PKCE the code already demands. A document that names `private_key_jwt` but also lists
 * `none` among its supported methods lets the client choose. The verifier and jose load on the first assertion only.
 */
import type { ClientDocument, ClientDocuments } from "./clientDocuments";
import { ASSERTION_ALGORITHMS, JWT_BEARER_ASSERTION } from "./clientAuthMethods";
import { DocumentFetchError } from "./documentError";
import type { FetchOptions } from "./documentFetch";
import { KeySets } from "./jwks";
import { UsedTokens } from "./usedTokens";

export type Authenticated = { readonly ok: true } | { readonly ok: false; readonly description: string };

/** What the client sent to authenticate (RFC 7521 §4.2). */
export interface Credentials {
    readonly assertionType: string | undefined;
    readonly assertion: string | undefined;
}

export class ClientAuthentication {
    private readonly keys: KeySets;
    /** The jti of every assertion accepted, `<client_id> <jti>`; only assertions that passed their signature check enter. */
    private readonly seen: UsedTokens;

    /** `fetchOptions` gives the options of a client's document fetch, by client_id; its key set is fetched with the same. */
    constructor(private readonly fetchOptions: (clientId: string) => FetchOptions, private readonly clock: () => number = Date.now) {
        this.keys = new KeySets(clock);
        this.seen = new UsedTokens(clock);
    }

    /** Whether `clientId` (an allow-listed client_id URL) authenticated as its document asks; `audiences` is what `aud` may name. */
    async authenticate(documents: ClientDocuments, clientId: string, credentials: Credentials, audiences: readonly string[]): Promise<Authenticated> {
        let document: ClientDocument;
        try {
            document = await documents.get(clientId);
        } catch (error) {
            if (error instanceof DocumentFetchError) {
                return { ok: false, description: `The client's metadata document cannot be used: ${error.message}.` };
            }
            throw error;
        }
        if (credentials.assertion === undefined && credentials.assertionType === undefined) {
            return document.authMethods.includes("none") ? { ok: true } : {
                ok: false,
                description: `This client's metadata document names private_key_jwt: send client_assertion_type=${JWT_BEARER_ASSERTION} and a client_assertion (RFC 7523 §2.2).`,
            };
        }
        if (credentials.assertionType !== JWT_BEARER_ASSERTION || credentials.assertion === undefined) {
            return { ok: false, description: `Send client_assertion_type=${JWT_BEARER_ASSERTION} with a client_assertion (RFC 7523 §2.2).` };
        }
        const { jwksUri } = document;
        if (!document.authMethods.includes("private_key_jwt") || jwksUri === undefined) {
            return { ok: false, description: "This client's metadata document names token_endpoint_auth_method none: it authenticates with PKCE only, without a client assertion." };
        }
        const { verifyClientAssertion } = await import("./clientAssertion.js");
        const result = await verifyClientAssertion({
            assertion: credentials.assertion,
            clientId,
            audiences,
            algorithms: document.signingAlg === undefined ? ASSERTION_ALGORITHMS : [document.signingAlg],
            keys: (fresh) => this.keys.get(jwksUri, this.fetchOptions(clientId), fresh),
            seen: this.seen,
            now: this.clock(),
        });
        return result.ok ? result : { ok: false, description: `The client assertion is refused: ${result.reason}.` };
    }
}
