/**
 * Fetches a client's metadata document with the defences draft-ietf-oauth-client-id-metadata-document-02 asks of
 * an authorization server (§5, §8.6 SSRF, §8.7 response size): HTTPS only; the host resolved once, every address
 * public (addresses.ts), and the connection made to that resolved address (no second lookup a DNS rebinding could
 * answer differently); status 200 only, so redirects are never followed; a JSON content type; a size and a time
 * limit. No cookies, no credentials, nothing from the incoming request is sent. Loaded on the first fetch only
 * (clientDocuments.ts): node:https and the resolver cost the function ~15 ms of cold start it need not pay for
 * callbacks, token requests or warm cache hits.
 */
import { lookup as dnsLookup } from "node:dns/promises";
import * as http from "node:http";
import * as https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { isPublicAddress } from "./addresses";
import { DocumentFetchError } from "./documentError";

/**
 * 16 KiB: the draft suggests 5 KB, but Claude's document already outgrew a 5,120-byte limit (cloudflare/mcp#46),
 * and a document is a few redirect URIs and names; 16 KiB leaves room without letting a response fill memory.
 */
export const MAX_DOCUMENT_BYTES = 16 * 1024;
/** The whole fetch, connection to last byte: the user is waiting at the authorize redirect (infra/oauthFacade.ts sets the function's timeout from this). */
export const DOCUMENT_TIMEOUT_MS = 3000;

export interface FetchedDocument {
    readonly body: unknown;
    /** Cache-Control's max-age in seconds; 0 for no-store or no-cache; undefined when absent. */
    readonly maxAgeSeconds: number | undefined;
}

export interface FetchOptions {
    /** Resolves a host name to its addresses. Default: the system resolver (all addresses). */
    readonly resolve?: (hostname: string) => Promise<readonly string[]>;
    readonly maxBytes?: number;
    readonly timeoutMs?: number;
    /**
     * Local mode's test switch only (startLocal's testClientMetadataUrls): allows http and loopback addresses for
     * this fetch (a test client's document, and the key set it names on its own origin, jwks.ts). Never set in a
     * deployed function, whose settings have no way to express it.
     */
    readonly allowLoopbackHttp?: boolean;
}

/** What is fetched, for the error messages, and the media types it may come as. Default: a client metadata document. */
export interface FetchedKind {
    readonly label: string;
    /** How the messages name its URL. */
    readonly urlLabel: string;
    readonly mediaTypes: readonly string[];
}

const METADATA_DOCUMENT: FetchedKind = { label: "the client metadata document", urlLabel: "the client_id URL", mediaTypes: ["application/json"] };

async function systemResolve(hostname: string): Promise<readonly string[]> {
    const answers = await dnsLookup(hostname, { all: true, verbatim: true });
    return answers.map((a) => a.address);
}

const tooSlow = (timeoutMs: number, kind: FetchedKind) => new DocumentFetchError(`${kind.label} took longer than ${timeoutMs} ms`);

/** Settles like `promise`, or rejects with the time-limit error once `deadline` (ms since the epoch) has passed. */
function beforeDeadline<T>(promise: Promise<T>, deadline: number, timeoutMs: number, kind: FetchedKind): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(tooSlow(timeoutMs, kind)), Math.max(0, deadline - Date.now()));
    });
    return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

export async function fetchDocument(target: string, options: FetchOptions = {}, kind: FetchedKind = METADATA_DOCUMENT): Promise<FetchedDocument> {
    // One deadline for the whole fetch, the DNS lookup included (a resolver can take longer than the limit itself).
    const timeoutMs = options.timeoutMs ?? DOCUMENT_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    const url = new URL(target);
    const testMode = options.allowLoopbackHttp === true;
    if (url.protocol !== "https:" && !(testMode && url.protocol === "http:")) {
        throw new DocumentFetchError(`${kind.urlLabel} is not https`);
    }
    const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
    let addresses: readonly string[];
    try {
        addresses = isIP(hostname) === 0 ? await beforeDeadline((options.resolve ?? systemResolve)(hostname), deadline, timeoutMs, kind) : [hostname];
    } catch (error) {
        throw error instanceof DocumentFetchError ? error : new DocumentFetchError(`${kind.urlLabel}'s host does not resolve`);
    }
    if (addresses.length === 0) {
        throw new DocumentFetchError(`${kind.urlLabel}'s host does not resolve`);
    }
    // Every address, not just the one used: a host that also names a private address is not a public client's.
    if (!testMode && !addresses.every(isPublicAddress)) {
        throw new DocumentFetchError(`${kind.urlLabel}'s host resolves to a private, loopback or otherwise non-public address`);
    }
    const address = addresses[0];
    const family = isIP(address);
    // The socket connects to the address checked above; Node asks this instead of the resolver.
    const pinned: LookupFunction = (_host, lookupOptions, callback) => {
        if (lookupOptions.all === true) {
            (callback as (error: null, addresses: Array<{ address: string; family: number }>) => void)(null, [{ address, family }]);
        } else {
            callback(null, address, family);
        }
    };
    return request(url, pinned, options.maxBytes ?? MAX_DOCUMENT_BYTES, deadline, timeoutMs, kind);
}

function request(url: URL, lookup: LookupFunction, maxBytes: number, deadline: number, timeoutMs: number, kind: FetchedKind): Promise<FetchedDocument> {
    return new Promise((resolve, reject) => {
        const client = url.protocol === "https:" ? https : http;
        const req = client.request(url, {
            method: "GET",
            lookup,
            agent: false,
            headers: { Accept: "application/json", "User-Agent": "gpt-action-oauth-facade" },
        });
        const fail = (message: string) => {
            reject(new DocumentFetchError(message));
            req.destroy();
        };
        const timer = setTimeout(() => fail(tooSlow(timeoutMs, kind).message), Math.max(0, deadline - Date.now()));
        req.on("error", () => fail(`${kind.label} could not be fetched`));
        req.on("close", () => clearTimeout(timer));
        req.on("response", (res) => {
            if (res.statusCode !== 200) {
                // 3xx included: the draft forbids following redirects (§5).
                fail(`${kind.label} answered HTTP ${res.statusCode ?? 0}, not 200`);
                return;
            }
            const mediaType = (res.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
            if (!kind.mediaTypes.includes(mediaType)) {
                fail(`${kind.label} is not ${kind.mediaTypes.join(" or ")}`);
                return;
            }
            if (Number(res.headers["content-length"] ?? 0) > maxBytes) {
                fail(`${kind.label} is over ${maxBytes} bytes`);
                return;
            }
            const chunks: Buffer[] = [];
            let size = 0;
            res.on("data", (chunk: Buffer) => {
                size += chunk.length;
                if (size > maxBytes) {
                    fail(`${kind.label} is over ${maxBytes} bytes`);
                    return;
                }
                chunks.push(chunk);
            });
            res.on("end", () => {
                clearTimeout(timer);
                try {
                    resolve({ body: JSON.parse(Buffer.concat(chunks).toString("utf8")), maxAgeSeconds: maxAge(res.headers["cache-control"]) });
                } catch {
                    reject(new DocumentFetchError(`${kind.label} is not valid JSON`));
                }
            });
            res.on("error", () => fail(`${kind.label} could not be read`));
        });
        req.end();
    });
}

function maxAge(cacheControl: string | undefined): number | undefined {
    if (cacheControl === undefined) {
        return undefined;
    }
    if (/(^|,)\s*(no-store|no-cache)\s*(,|$)/i.test(cacheControl)) {
        return 0;
    }
    const match = cacheControl.match(/(?:^|,)\s*max-age\s*=\s*"?(\d+)"?/i);
    return match === null ? undefined : Number(match[1]);
}
