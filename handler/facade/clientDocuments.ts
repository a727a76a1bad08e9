/**
 * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document-02): fetched, checked and kept for a
 * short while, so that a warm function does not fetch ChatGPT's document on every sign-in.
 */
import { ASSERTION_ALGORITHMS, type ClientAuthMethod } from "./clientAuthMethods";
import { DocumentFetchError } from "./documentError";
import type { FetchOptions } from "./documentFetch";
import { isRedirectUri } from "./redirectUris";

/** What the facade uses of a document. */
export interface ClientDocument {
    readonly clientId: string;
    /** Compared with `redirect_uri` by exact string match only (§8.1; RFC 6749 §3.1.2.3 as OAuth 2.1 tightens it). */
    readonly redirectUris: readonly string[];
    /** The document's `client_name` as the client declares it (RFC 7591 §2), unverified: shown on the consent page, escaped. */
    readonly clientName?: string;
    /** How it may authenticate at the token and revocation endpoints (clientAuthentication.ts). */
    readonly authMethods: readonly ClientAuthMethod[];
    /** For private_key_jwt: where its public keys are, on the client_id URL's own origin. */
    readonly jwksUri?: string;
    /** `token_endpoint_auth_signing_alg` (RFC 7591 §2), when the document pins one. */
    readonly signingAlg?: string;
}

/** Without a max-age, a document is kept 5 minutes; with one, never more than an hour (§5.2 lets the AS bound it). */
const DEFAULT_CACHE_SECONDS = 300;
export const MAX_CACHE_SECONDS = 3600;
/**
 * A failed fetch is remembered 30 seconds: a broken, slow or refusing document host is then asked at most twice a
 * minute per URL, not once per sign-in attempt (or callback), while a fixed document is picked up soon.
 */
export const FAILURE_CACHE_SECONDS = 30;
/** Only allow-listed URLs are ever fetched, so a handful of entries is all there can be; the bound is a backstop. */
const CACHE_CAPACITY = 32;

/** The document's fields the facade relies on, or a DocumentFetchError saying what is wrong with it. */
export function checkDocument(url: string, body: unknown): ClientDocument {
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
        throw new DocumentFetchError("the client metadata document is not a JSON object");
    }
    const document = body as Record<string, unknown>;
    // §4: the document names itself; a document served at one URL claiming another client is refused.
    if (document.client_id !== url) {
        throw new DocumentFetchError("the client metadata document's client_id is not its own URL");
    }
    const uris = document.redirect_uris;
    if (!Array.isArray(uris) || uris.length === 0) {
        throw new DocumentFetchError("the client metadata document has no valid redirect_uris");
    }
    if (!uris.every(isRedirectUri)) {
        throw new DocumentFetchError("the client metadata document's redirect_uris must be https (or http on a loopback host), with no fragment and no OAuth response parameter in the query");
    }
    // §4.1: a document is public, so it can hold no shared secret.
    if ("client_secret" in document || "client_secret_expires_at" in document) {
        throw new DocumentFetchError("the client metadata document contains a client secret");
    }
    const name = document.client_name;
    return { clientId: url, redirectUris: uris, ...(typeof name === "string" ? { clientName: name } : {}), ...authentication(url, document) };
}

/**
 * How the document's client authenticates. RFC 7591 §2's `token_endpoint_auth_method` (one value) rules: absent or
 * `none`, a public client; `private_key_jwt`, an assertion signed with a key from its `jwks_uri`. A document that also
 * carries a list-valued `token_endpoint_auth_methods_supported` naming `none` (ChatGPT's does) may authenticate either
 * way. Any other method needs a secret, which a public document cannot hold (§4.1). Grant and response types are not
 * read: the facade runs the code and refresh grants whatever else a document lists (Claude's lists an extension grant).
 */
function authentication(url: string, document: Record<string, unknown>): Pick<ClientDocument, "authMethods" | "jwksUri" | "signingAlg"> {
    const method = document.token_endpoint_auth_method ?? "none";
    if (method === "none") {
        return { authMethods: ["none"] };
    }
    if (method !== "private_key_jwt") {
        throw new DocumentFetchError("the client metadata document's token_endpoint_auth_method must be none or private_key_jwt (a document can hold no secret)");
    }
    const jwksUri = document.jwks_uri;
    if (typeof jwksUri !== "string" || !URL.canParse(jwksUri)) {
        throw new DocumentFetchError("the client metadata document names private_key_jwt without a jwks_uri");
    }
    const keys = new URL(jwksUri);
    // The keys come from the host that vouches for the client_id; a document cannot point the facade at another host.
    if (keys.origin !== new URL(url).origin || keys.username !== "" || keys.password !== "" || jwksUri.includes("#")) {
        throw new DocumentFetchError("the client metadata document's jwks_uri must be on the client_id URL's own host, with no user info or fragment");
    }
    const signingAlg = document.token_endpoint_auth_signing_alg;
    if (signingAlg !== undefined && (typeof signingAlg !== "string" || !ASSERTION_ALGORITHMS.includes(signingAlg))) {
        throw new DocumentFetchError(`the client metadata document's token_endpoint_auth_signing_alg must be one of ${ASSERTION_ALGORITHMS.join(", ")}`);
    }
    const supported = document.token_endpoint_auth_methods_supported;
    const alsoPublic = Array.isArray(supported) && supported.includes("none");
    return { authMethods: alsoPublic ? ["private_key_jwt", "none"] : ["private_key_jwt"], jwksUri, ...(signingAlg === undefined ? {} : { signingAlg }) };
}

type Cached = ({ readonly document: ClientDocument } | { readonly failure: DocumentFetchError }) & { readonly expiresAt: number };

export class ClientDocuments {
    private readonly cache = new Map<string, Cached>();
    private readonly inFlight = new Map<string, Promise<ClientDocument>>();

    /** `fetchOptions` gives the options for one URL (local mode's test switch allows a loopback one). */
    constructor(
        private readonly fetchOptions: (url: string) => FetchOptions,
        private readonly clock: () => number = Date.now,
    ) {}

    /** The checked document at `url`; rejects with a DocumentFetchError. Call only for allow-listed URLs. */
    get(url: string): Promise<ClientDocument> {
        const cached = this.cache.get(url);
        if (cached !== undefined && cached.expiresAt > this.clock()) {
            return "document" in cached ? Promise.resolve(cached.document) : Promise.reject(cached.failure);
        }
        let pending = this.inFlight.get(url);
        if (pending === undefined) {
            pending = this.load(url).finally(() => this.inFlight.delete(url));
            this.inFlight.set(url, pending);
        }
        return pending;
    }

    private async load(url: string): Promise<ClientDocument> {
        const { fetchDocument } = await import("./documentFetch.js");
        let document: ClientDocument;
        let seconds: number;
        try {
            const fetched = await fetchDocument(url, this.fetchOptions(url));
            document = checkDocument(url, fetched.body);
            seconds = Math.min(fetched.maxAgeSeconds ?? DEFAULT_CACHE_SECONDS, MAX_CACHE_SECONDS);
        } catch (error) {
            if (error instanceof DocumentFetchError) {
                this.remember(url, { failure: error, expiresAt: this.clock() + FAILURE_CACHE_SECONDS * 1000 });
            }
            throw error;
        }
        this.cache.delete(url);
        if (seconds > 0) {
            this.remember(url, { document, expiresAt: this.clock() + seconds * 1000 });
        }
        return document;
    }

    /** Successes and failures share one bounded cache; the oldest entry goes first. */
    private remember(url: string, entry: Cached): void {
        this.cache.delete(url);
        if (this.cache.size >= CACHE_CAPACITY) {
            this.cache.delete(this.cache.keys().next().value ?? "");
        }
        this.cache.set(url, entry);
    }
}
