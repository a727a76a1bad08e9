/** PKCE (RFC 7636) as the facade requires it: S256 only, for every client (MCP 2025-11-25, Authorization › PKCE). */
import { createHash } from "node:crypto";

/** RFC 7636 §4.2: an S256 challenge is the base64url SHA-256 of the verifier, 43 characters without padding. */
export const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/** RFC 7636 §4.6: does `verifier` hash to `challenge`? */
export function verifierMatches(verifier: string | undefined, challenge: string): boolean {
    return verifier !== undefined && VERIFIER.test(verifier) && createHash("sha256").update(verifier).digest("base64url") === challenge;
}
