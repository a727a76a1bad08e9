/**
 * How a client identified by a metadata document authenticates at the token and revocation endpoints: `none` (a
 * public client, PKCE only) or `private_key_jwt` (RFC 7523 §2.2 and §3, OIDC Core §9: a JWT signed with a key from
 * its `jwks_uri`). No shared secret: a document is public (CIMD draft-02 §4.1). Named here, without jose, so that
 * the document check and the metadata (infra/mcpMetadata.ts) can say what is accepted without loading a verifier.
 */

export type ClientAuthMethod = "none" | "private_key_jwt";

/** RFC 7523 §2.2: the client_assertion_type of a JWT client assertion. */
export const JWT_BEARER_ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/**
 * The signature algorithms an assertion may use: asymmetric only (RFC 8725 §3.1, §3.2). Never `none`, never an HMAC
 * (HS*), whose "key" a verifier holding only public keys would take from the public key itself (the classic confusion).
 */
export const ASSERTION_ALGORITHMS: readonly string[] = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"];

/** An assertion's `exp` may be at most this far ahead: a stolen assertion is worth at most five minutes. */
export const MAX_ASSERTION_LIFETIME_SECONDS = 300;

/** Clocks differ; this much either way is forgiven for `exp`, `nbf` and `iat`. */
export const ASSERTION_CLOCK_SKEW_SECONDS = 30;
