/**
 * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document-02): fetched, checked and kept for a
 * short while, so that a warm function does not fetch ChatGPT's document on every sign-in.
 */
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
    // §4.1: a document is public, so it can hold no shared secret; this facade serves public clients only (PKCE).
    if ("client_secret" in document || "client_secret_expires_at" in document) {
        throw new DocumentFetchError("the client metadata document contains a client secret");
    }
    const method = document.token_endpoint_auth_method;
    if (method !== undefined && method !== "none") {
        throw new DocumentFetchError("this server accepts only public clients (token_endpoint_auth_method none) by client metadata document");
    }
    const name = document.client_name;
    return { clientId: url, redirectUris: uris, ...(typeof name === "string" ? { clientName: name } : {}) };
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
