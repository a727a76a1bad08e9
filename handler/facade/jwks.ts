/**
 * A client's public keys (RFC 7517 JWK Set) from the `jwks_uri` its metadata document names, fetched with the same
 * defences as the document (documentFetch.ts: HTTPS, public addresses pinned, no redirects, size and time caps) and
 * kept in a bounded cache like the documents'. Only public signing keys are kept: a symmetric (`oct`) or private key
 * in the set is dropped, so an HMAC can never be verified with one (clientAuthMethods.ts). No jose here: the verifier
 * (clientAssertion.ts) reads the set, loaded only when an assertion arrives.
 */
import { DocumentFetchError } from "./documentError";
import type { FetchOptions } from "./documentFetch";

export interface PublicJwk {
    readonly kty: string;
    readonly [member: string]: unknown;
}

export interface PublicKeySet {
    readonly keys: readonly PublicJwk[];
}

/** Without a max-age a key set is kept 5 minutes, never more than an hour; a failure 30 seconds (as documents). */
const DEFAULT_CACHE_SECONDS = 300;
const MAX_CACHE_SECONDS = 3600;
const FAILURE_CACHE_SECONDS = 30;
/**
 * An assertion naming a key the cached set lacks (a rotation) makes the set be fetched again, at most once a
 * minute: assertions with made-up `kid`s cannot make the facade hammer the client's host.
 */
const MIN_REFRESH_SECONDS = 60;
/** Key sets are fetched only for allow-listed clients' documents: a handful. */
const CACHE_CAPACITY = 32;
/** A client publishes a few keys (current and next); more is not a key set this facade needs to read. */
const MAX_KEYS = 20;

const KEY_SET = { label: "the client's key set (jwks_uri)", urlLabel: "the jwks_uri", mediaTypes: ["application/json", "application/jwk-set+json"] };

/** The public signing keys in `body`, or a DocumentFetchError saying why there are none. */
export function checkKeySet(body: unknown): PublicKeySet {
    const keys = typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>).keys : undefined;
    if (!Array.isArray(keys) || keys.length > MAX_KEYS) {
        throw new DocumentFetchError(`the client's key set is not a JWK Set with at most ${MAX_KEYS} keys`);
    }
    const usable = keys.filter((key): key is PublicJwk => typeof key === "object" && key !== null && !Array.isArray(key)
        && ["RSA", "EC", "OKP"].includes(String((key as Record<string, unknown>).kty))
        && !("d" in key) && ((key as Record<string, unknown>).use ?? "sig") === "sig");
    if (usable.length === 0) {
        throw new DocumentFetchError("the client's key set holds no public signing key");
    }
    return { keys: usable };
}

type Cached = ({ readonly keys: PublicKeySet; readonly fetchedAt: number } | { readonly failure: DocumentFetchError }) & { readonly expiresAt: number };

export class KeySets {
    private readonly cache = new Map<string, Cached>();
    private readonly inFlight = new Map<string, Promise<PublicKeySet>>();

    constructor(private readonly clock: () => number = Date.now) {}

    /**
     * The keys at `jwksUri`, fetched with `options` (its document's); `fresh` asks for a refetch of a cached set that
     * is older than a minute. Rejects with a DocumentFetchError.
     */
    get(jwksUri: string, options: FetchOptions, fresh = false): Promise<PublicKeySet> {
        const cached = this.cache.get(jwksUri);
        const now = this.clock();
        if (cached !== undefined && cached.expiresAt > now) {
            if ("failure" in cached) {
                return Promise.reject(cached.failure);
            }
            if (!fresh || now - cached.fetchedAt < MIN_REFRESH_SECONDS * 1000) {
                return Promise.resolve(cached.keys);
            }
        }
        let pending = this.inFlight.get(jwksUri);
        if (pending === undefined) {
            pending = this.load(jwksUri, options).finally(() => this.inFlight.delete(jwksUri));
            this.inFlight.set(jwksUri, pending);
        }
        return pending;
    }

    private async load(jwksUri: string, options: FetchOptions): Promise<PublicKeySet> {
        const { fetchDocument } = await import("./documentFetch.js");
        try {
            const fetched = await fetchDocument(jwksUri, options, KEY_SET);
            const keys = checkKeySet(fetched.body);
            const seconds = Math.min(fetched.maxAgeSeconds ?? DEFAULT_CACHE_SECONDS, MAX_CACHE_SECONDS);
            const now = this.clock();
            // Kept a minute at least, whatever the host says, so that refetches stay rate-limited.
            this.remember(jwksUri, { keys, fetchedAt: now, expiresAt: now + Math.max(seconds, MIN_REFRESH_SECONDS) * 1000 });
            return keys;
        } catch (error) {
            if (error instanceof DocumentFetchError) {
                this.remember(jwksUri, { failure: error, expiresAt: this.clock() + FAILURE_CACHE_SECONDS * 1000 });
            }
            throw error;
        }
    }

    private remember(jwksUri: string, entry: Cached): void {
        this.cache.delete(jwksUri);
        if (this.cache.size >= CACHE_CAPACITY) {
            this.cache.delete(this.cache.keys().next().value ?? "");
        }
        this.cache.set(jwksUri, entry);
    }
}
