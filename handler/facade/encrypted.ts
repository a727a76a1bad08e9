/**
 * Encrypted tokens, for what the facade wraps around a Cognito secret: the code (Cognito's code) and a CIMD
 * client's refresh token (Cognito's refresh token). Signing alone (signed.ts) left the inner token readable, so a
 * wrapped refresh token could be unwrapped and redeemed at Cognito as the public shadow client, outside the facade's
 * client binding, and it outlived a state-key rotation.
 *
 * `base64url(nonce ‖ ciphertext ‖ tag)`: AES-256-GCM (NIST SP 800-38D) with a 96-bit random nonce and a 128-bit
 * tag, under a key derived from the state key per kind with HKDF-SHA256 (RFC 5869), so that a token of one kind never
 * opens as another and no key is used for two purposes. The kind is also the additional authenticated data. A new
 * state key derives new keys: every token sealed under the old one becomes unreadable.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { openedPayload, type Opened } from "./signed";

export type EncryptedKind = "code" | "refresh";

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** Longer than any token the facade makes (a refresh token of a few KiB, wrapped with a client_id URL). */
const MAX_TOKEN_CHARS = 8192;
/** RFC 4648 §5 without padding; the one canonical spelling is checked after decoding. */
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Kinds that must carry `exp`: a code without one is refused, so that none can be made to live forever. */
const EXPIRING: ReadonlySet<EncryptedKind> = new Set(["code"]);

/** HKDF's info label for `kind`: distinct per purpose (RFC 5869 §3.2), versioned so that a format change gets new keys. */
const info = (kind: EncryptedKind) => `gpt-action-facade/v1/aead/${kind}`;

/** Derived keys by state key and kind: HKDF costs microseconds, but a warm function need not repeat it per request. */
const derived = new WeakMap<Buffer, Map<EncryptedKind, Buffer>>();

function keyFor(stateKey: Buffer, kind: EncryptedKind): Buffer {
    let byKind = derived.get(stateKey);
    if (byKind === undefined) {
        byKind = new Map();
        derived.set(stateKey, byKind);
    }
    let key = byKind.get(kind);
    if (key === undefined) {
        key = Buffer.from(hkdfSync("sha256", stateKey, Buffer.alloc(0), info(kind), 32));
        byKind.set(kind, key);
    }
    return key;
}

/** Encrypts `payload`; `expiresAt` (ms since the epoch) goes in as `exp` seconds, inside the ciphertext. */
export function encrypt(stateKey: Buffer, kind: EncryptedKind, payload: Readonly<Record<string, unknown>>, expiresAt?: number): string {
    const plaintext = JSON.stringify(expiresAt === undefined ? payload : { ...payload, exp: Math.floor(expiresAt / 1000) });
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv("aes-256-gcm", keyFor(stateKey, kind), nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(kind));
    const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return Buffer.concat([nonce, ciphertext, cipher.getAuthTag()]).toString("base64url");
}

/** The payload of a token of `kind` encrypted under `stateKey` and not expired at `now` (ms); "signature" when it fails authentication. */
export function decrypt(stateKey: Buffer, kind: EncryptedKind, token: string, now: number): Opened {
    if (token.length > MAX_TOKEN_CHARS || !BASE64URL.test(token)) {
        return { ok: false, reason: "malformed" };
    }
    const bytes = Buffer.from(token, "base64url");
    // One spelling per token: decoding ignores the spare bits of the last character (RFC 4648 §3.5).
    if (bytes.length <= NONCE_BYTES + TAG_BYTES || bytes.toString("base64url") !== token) {
        return { ok: false, reason: "malformed" };
    }
    const decipher = createDecipheriv("aes-256-gcm", keyFor(stateKey, kind), bytes.subarray(0, NONCE_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(kind));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    let plaintext: string;
    try {
        plaintext = Buffer.concat([decipher.update(bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString("utf8");
    } catch {
        return { ok: false, reason: "signature" };
    }
    return openedPayload(plaintext, EXPIRING.has(kind), now);
}
