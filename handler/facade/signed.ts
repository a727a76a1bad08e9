/**
 * Compact signed tokens: what the facade hands out instead of keeping state (the authorization request in
 * `state`, the client binding around Cognito's code and refresh token). `<base64url JSON>.<base64url HMAC-SHA256>`,
 * the MAC over the kind and the payload, so that a token of one kind is never accepted as another. Signed, not
 * encrypted: for payloads that hold only what their holder already knows (the pending request in `state`); what wraps
 * a Cognito secret is encrypted instead (encrypted.ts).
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** `consent`: the consent page's form token (consentToken.ts), its own purpose label so no other token passes for one. */
export type TokenKind = "state" | "code" | "refresh" | "consent";

/** Longer than any token the facade makes (a state with a 1 KiB client state, a refresh token of a few KiB). */
const MAX_TOKEN_CHARS = 8192;

export type Opened =
    | { readonly ok: true; readonly payload: Readonly<Record<string, unknown>> }
    | { readonly ok: false; readonly reason: "malformed" | "signature" | "expired" };

function mac(key: Buffer, kind: TokenKind, body: string): Buffer {
    return createHmac("sha256", key).update(`gpt-action-facade/${kind}.${body}`).digest();
}

/** Kinds that must carry `exp`: a state, code or consent token without one is refused, so that none can be made to live forever. */
const EXPIRING: ReadonlySet<TokenKind> = new Set(["state", "code", "consent"]);

/** Signs `payload`; `expiresAt` (ms since the epoch) goes in as `exp` seconds, none for a token that never expires here. */
export function seal(key: Buffer, kind: TokenKind, payload: Readonly<Record<string, unknown>>, expiresAt?: number): string {
    const body = Buffer.from(JSON.stringify(expiresAt === undefined ? payload : { ...payload, exp: Math.floor(expiresAt / 1000) })).toString("base64url");
    return `${body}.${mac(key, kind, body).toString("base64url")}`;
}

/** The payload of a token of `kind` signed with `key` and not expired at `now` (ms); the signature is checked first. */
export function open(key: Buffer, kind: TokenKind, token: string, now: number): Opened {
    const dot = token.indexOf(".");
    if (token.length > MAX_TOKEN_CHARS || dot < 1 || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) {
        return { ok: false, reason: "malformed" };
    }
    const body = token.slice(0, dot);
    // The signature's text, compared with the one canonical base64url spelling (RFC 4648 §3.5: spare bits are zero),
    // not its decoded bytes: decoding ignores the 2 spare bits of the last character, which gave 4 accepted spellings.
    const given = Buffer.from(token.slice(dot + 1), "latin1");
    const expected = Buffer.from(mac(key, kind, body).toString("base64url"), "latin1");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        return { ok: false, reason: "signature" };
    }
    return openedPayload(Buffer.from(body, "base64url").toString("utf8"), EXPIRING.has(kind), now);
}

/**
 * An authenticated envelope's JSON text as a payload, signed (here) or decrypted (encrypted.ts) alike: an object whose
 * `exp` (seconds), required when `mustExpire`, has not passed at `now` (milliseconds).
 */
export function openedPayload(text: string, mustExpire: boolean, now: number): Opened {
    let payload: unknown;
    try {
        payload = JSON.parse(text);
    } catch {
        return { ok: false, reason: "malformed" };
    }
    if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
        return { ok: false, reason: "malformed" };
    }
    const record = payload as Record<string, unknown>;
    if (record.exp === undefined ? mustExpire : typeof record.exp !== "number" || !Number.isFinite(record.exp)) {
        return { ok: false, reason: "malformed" };
    }
    if (typeof record.exp === "number" && record.exp * 1000 <= now) {
        return { ok: false, reason: "expired" };
    }
    return { ok: true, payload: record };
}
