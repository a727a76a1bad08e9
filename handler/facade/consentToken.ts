/**
 * The consent page's form token and the browser cookie it is bound to (CSRF: OWASP's signed double-submit cookie).
 * The token is the authorization request itself, signed (signed.ts, kind "consent") and short-lived: the POST that
 * answers the page carries nothing else, so what the user allowed is exactly what /authorize validated. The cookie
 * holds a random nonce whose SHA-256 the token names, so a token is good only in the browser that opened its page.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { open, seal, type Opened } from "./signed";

/** Long enough to read the page; short enough that a token found later is useless. */
export const CONSENT_LIFETIME_MS = 5 * 60 * 1000;

/** The authorization request /authorize validated, as Cognito will get it (cognitoAuthorize.ts). */
export interface AuthorizationRequest {
    readonly clientId: string;
    readonly redirectUri: string;
    /** The client's own state; absent when it sent none. */
    readonly state?: string;
    readonly codeChallenge: string;
    /** RFC 8707 `resource`, only ever the MCP server's URL; absent when the client sent none. */
    readonly resource?: string;
}

export interface ConsentToken {
    readonly request: AuthorizationRequest;
    /** base64url SHA-256 of the cookie's nonce. */
    readonly nonceHash: string;
    /** Unique per page, for the replay check (usedTokens.ts). */
    readonly id: string;
    /** Milliseconds since the epoch. */
    readonly expiresAt: number;
}

const isString = (value: unknown): value is string => typeof value === "string";
const optional = (value: unknown): value is string | undefined => value === undefined || isString(value);

export function sealConsent(key: Buffer, request: AuthorizationRequest, nonce: string, now: number): string {
    return seal(key, "consent", {
        c: request.clientId, r: request.redirectUri, s: request.state, p: request.codeChallenge, o: request.resource,
        n: nonceHash(nonce), j: randomBytes(16).toString("base64url"),
    }, now + CONSENT_LIFETIME_MS);
}

export type OpenedConsent = { readonly ok: true; readonly value: ConsentToken } | Extract<Opened, { readonly ok: false }>;

export function openConsent(key: Buffer, token: string, now: number): OpenedConsent {
    const opened = open(key, "consent", token, now);
    if (!opened.ok) {
        return opened;
    }
    const p = opened.payload;
    if (!isString(p.c) || !isString(p.r) || !isString(p.p) || !optional(p.s) || !optional(p.o) || !isString(p.n) || !isString(p.j) || typeof p.exp !== "number") {
        return { ok: false, reason: "malformed" };
    }
    return {
        ok: true,
        value: {
            request: { clientId: p.c, redirectUri: p.r, codeChallenge: p.p, ...(p.s === undefined ? {} : { state: p.s }), ...(p.o === undefined ? {} : { resource: p.o }) },
            nonceHash: p.n,
            id: p.j,
            expiresAt: p.exp * 1000,
        },
    };
}

const NONCE = /^[A-Za-z0-9_-]{43}$/;

export const newNonce = (): string => randomBytes(32).toString("base64url");

export const nonceHash = (nonce: string): string => createHash("sha256").update(nonce).digest("base64url");

/** True when `nonce` is the one whose hash the token names; constant time. */
export function nonceMatches(nonce: string | undefined, hash: string): boolean {
    if (nonce === undefined || !NONCE.test(nonce)) {
        return false;
    }
    const given = Buffer.from(nonceHash(nonce), "latin1");
    const expected = Buffer.from(hash, "latin1");
    return given.length === expected.length && timingSafeEqual(given, expected);
}

const LOOPBACK = new Set(["127.0.0.1", "[::1]", "localhost"]);

/**
 * `__Host-` (RFC 6265bis §4.1.3.2: Secure, Path=/, no Domain, so no sibling host can plant or overwrite it),
 * except for an http issuer on a loopback host (local mode), where a browser may refuse a Secure cookie: there the
 * cookie has no prefix and no Secure, and nothing but this machine can reach it.
 */
function cookieName(issuer: string): { readonly name: string; readonly secure: boolean } {
    const url = new URL(issuer);
    return url.protocol === "http:" && LOOPBACK.has(url.hostname)
        ? { name: "gpt-action-consent", secure: false }
        : { name: "__Host-gpt-action-consent", secure: true };
}

/**
 * The Set-Cookie value. HttpOnly: no script needs it. SameSite=Strict: the POST comes from this server's own page,
 * and no other site's form can make the browser send it (the top-level GET that sets it may come from anywhere).
 */
export function consentCookie(issuer: string, nonce: string): string {
    const { name, secure } = cookieName(issuer);
    return `${name}=${nonce}; Path=/; Max-Age=${CONSENT_LIFETIME_MS / 1000}; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`;
}

/** The nonce in the request's Cookie header, if it holds a well-formed one. */
export function readConsentCookie(headers: Readonly<Record<string, string>>, issuer: string): string | undefined {
    const { name } = cookieName(issuer);
    for (const part of (headers.cookie ?? "").split(";")) {
        const eq = part.indexOf("=");
        if (eq > 0 && part.slice(0, eq).trim() === name) {
            const value = part.slice(eq + 1).trim();
            if (NONCE.test(value)) {
                return value;
            }
        }
    }
    return undefined;
}
