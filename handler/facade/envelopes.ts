/**
 * The three things the facade hands out instead of remembering, with their fields named:
 * - the pending authorization request, sent to Cognito as `state` and back to the callback: signed (signed.ts), as it
 *   holds only what the client sent and must stay small (it rides in Cognito's redirect URLs);
 * - the client's code: Cognito's code wrapped with the client and redirect URI it was issued for, and its PKCE
 *   challenge, so that the token endpoint can refuse it to any other client (all CIMD clients share one Cognito app
 *   client, which alone would let one redeem another's code);
 * - a CIMD client's refresh token: Cognito's wrapped with the client it was issued to, for the same reason.
 * The code and the refresh token carry a Cognito secret, so they are encrypted (encrypted.ts): nobody holding one can
 * read Cognito's token out of it and redeem it at Cognito directly, and a new state key makes every one unreadable.
 */
import { decrypt, encrypt } from "./encrypted";
import { open, seal, type Opened } from "./signed";

/** A sign-in must come back within 10 minutes; Cognito's own codes live 5. */
const STATE_LIFETIME_MS = 10 * 60 * 1000;
/** Cognito's code lives 5 minutes; the envelope a little longer, so Cognito's expiry is the one clients meet. */
const CODE_LIFETIME_MS = 10 * 60 * 1000;

export interface PendingAuthorization {
    readonly clientId: string;
    readonly redirectUri: string;
    /** The client's own state, echoed back to it; absent when it sent none. */
    readonly state?: string;
    readonly codeChallenge: string;
}

export interface WrappedCode {
    readonly clientId: string;
    readonly redirectUri: string;
    readonly cognitoCode: string;
    readonly codeChallenge: string;
}

export interface WrappedRefreshToken {
    readonly clientId: string;
    readonly cognitoRefreshToken: string;
}

export type Unsealed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: "malformed" | "signature" | "expired" };

const isString = (value: unknown): value is string => typeof value === "string";

/** Narrows an opened payload with `read`; a payload of the wrong shape counts as malformed. */
function unsealed<T>(opened: Opened, read: (p: Readonly<Record<string, unknown>>) => T | undefined): Unsealed<T> {
    if (!opened.ok) {
        return opened;
    }
    const value = read(opened.payload);
    return value === undefined ? { ok: false, reason: "malformed" } : { ok: true, value };
}

export function sealState(key: Buffer, pending: PendingAuthorization, now: number): string {
    return seal(key, "state", { c: pending.clientId, r: pending.redirectUri, s: pending.state, p: pending.codeChallenge }, now + STATE_LIFETIME_MS);
}

export function openState(key: Buffer, token: string, now: number): Unsealed<PendingAuthorization> {
    return unsealed(open(key, "state", token, now), (p) => isString(p.c) && isString(p.r) && isString(p.p) && (p.s === undefined || isString(p.s))
        ? { clientId: p.c, redirectUri: p.r, codeChallenge: p.p, ...(p.s === undefined ? {} : { state: p.s }) }
        : undefined);
}

export function sealCode(key: Buffer, code: WrappedCode, now: number): string {
    return encrypt(key, "code", { c: code.clientId, r: code.redirectUri, k: code.cognitoCode, p: code.codeChallenge }, now + CODE_LIFETIME_MS);
}

export function openCode(key: Buffer, token: string, now: number): Unsealed<WrappedCode> {
    return unsealed(decrypt(key, "code", token, now), (p) => isString(p.c) && isString(p.r) && isString(p.k) && isString(p.p)
        ? { clientId: p.c, redirectUri: p.r, cognitoCode: p.k, codeChallenge: p.p }
        : undefined);
}

/**
 * No expiry of its own: Cognito's refresh token expires, rotates and is revoked on its side. A rotated token comes
 * back from Cognito and is wrapped anew (token.ts), so the client always holds the current one.
 */
export function sealRefreshToken(key: Buffer, token: WrappedRefreshToken): string {
    return encrypt(key, "refresh", { c: token.clientId, k: token.cognitoRefreshToken });
}

export function openRefreshToken(key: Buffer, token: string, now: number): Unsealed<WrappedRefreshToken> {
    return unsealed(decrypt(key, "refresh", token, now), (p) => isString(p.c) && isString(p.k) ? { clientId: p.c, cognitoRefreshToken: p.k } : undefined);
}
