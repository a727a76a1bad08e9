/**
 * Verifies a `private_key_jwt` client assertion (RFC 7523 §3; OIDC Core §9) with jose: an allowed asymmetric
 * algorithm, a signature by one of the client's published keys, `iss` = `sub` = the client_id, `aud` naming this
 * server (its issuer or token endpoint), `exp` present and at most five minutes ahead, `jti` present and not seen
 * before while the assertion lives (usedTokens.ts). Loaded only when an assertion arrives (clientAuthentication.ts).
 * Failure reasons are ours, never the assertion's content.
 */
import { createLocalJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from "jose";
import { ASSERTION_CLOCK_SKEW_SECONDS, MAX_ASSERTION_LIFETIME_SECONDS } from "./clientAuthMethods";
import type { PublicKeySet } from "./jwks";
import type { UsedTokens } from "./usedTokens";

/** A compact JWS is a few hundred bytes to a couple of KB; anything longer is not an assertion this server reads. */
const MAX_ASSERTION_CHARS = 8192;
const MAX_JTI_CHARS = 256;

export interface AssertionCheck {
    readonly assertion: string;
    readonly clientId: string;
    /** What `aud` may name: the issuer and the token endpoint URL. */
    readonly audiences: readonly string[];
    readonly algorithms: readonly string[];
    /** The client's keys; `fresh` refetches them (a `kid` the cached set lacks: a rotation). */
    readonly keys: (fresh: boolean) => Promise<PublicKeySet>;
    readonly seen: UsedTokens;
    /** Milliseconds since the epoch. */
    readonly now: number;
}

export type AssertionResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

const refused = (reason: string): AssertionResult => ({ ok: false, reason });

export async function verifyClientAssertion(check: AssertionCheck): Promise<AssertionResult> {
    const { assertion, clientId, algorithms, now } = check;
    if (assertion.length > MAX_ASSERTION_CHARS) {
        return refused(`the client assertion is over ${MAX_ASSERTION_CHARS} characters`);
    }
    let alg: unknown;
    try {
        alg = decodeProtectedHeader(assertion).alg;
    } catch {
        return refused("the client assertion is not a signed JWT (compact JWS)");
    }
    // Checked before any key is looked at: `none` and HS* never reach a verifier (RFC 8725 §3.1).
    if (typeof alg !== "string" || !algorithms.includes(alg)) {
        return refused(`the client assertion's alg must be one of ${algorithms.join(", ")}`);
    }
    const verify = async (fresh: boolean) => jwtVerify(assertion, createLocalJWKSet({ keys: [...(await check.keys(fresh)).keys] }), {
        algorithms: [...algorithms],
        issuer: clientId,
        subject: clientId,
        audience: [...check.audiences],
        requiredClaims: ["iss", "sub", "aud", "exp", "jti"],
        currentDate: new Date(now),
        clockTolerance: ASSERTION_CLOCK_SKEW_SECONDS,
    });
    let payload: JWTPayload;
    try {
        try {
            ({ payload } = await verify(false));
        } catch (error) {
            if (!(error instanceof errors.JWKSNoMatchingKey)) {
                throw error;
            }
            ({ payload } = await verify(true));
        }
    } catch (error) {
        return refused(reasonFor(error));
    }
    const exp = payload.exp ?? 0;
    if (exp * 1000 > now + (MAX_ASSERTION_LIFETIME_SECONDS + ASSERTION_CLOCK_SKEW_SECONDS) * 1000) {
        return refused(`the client assertion's exp is more than ${MAX_ASSERTION_LIFETIME_SECONDS} seconds ahead`);
    }
    const jti = payload.jti ?? "";
    if (jti === "" || jti.length > MAX_JTI_CHARS) {
        return refused(`the client assertion's jti must be 1 to ${MAX_JTI_CHARS} characters`);
    }
    // RFC 7523 §3 item 7: a jti used once is refused while its assertion is still valid.
    if (!check.seen.use(`${clientId} ${jti}`, (exp + ASSERTION_CLOCK_SKEW_SECONDS) * 1000)) {
        return refused("the client assertion was already used (its jti is not new)");
    }
    return { ok: true };
}

/** What failed, in our words. */
function reasonFor(error: unknown): string {
    if (error instanceof errors.JWTExpired) {
        return "the client assertion has expired";
    }
    if (error instanceof errors.JWTClaimValidationFailed) {
        return `the client assertion's ${error.claim} claim is missing or wrong`;
    }
    if (error instanceof errors.JWKSNoMatchingKey) {
        return "no key of the client's key set matches the client assertion";
    }
    if (error instanceof errors.JWSSignatureVerificationFailed) {
        return "the client assertion's signature does not verify with the client's keys";
    }
    if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
        return "the client assertion's algorithm is not allowed for the client's key";
    }
    if (error instanceof errors.JOSEError) {
        return "the client assertion is not a valid JWT";
    }
    // A key set that could not be fetched: its DocumentFetchError says why, in words safe to show.
    return error instanceof Error ? error.message : "the client assertion could not be verified";
}
