/**
 * The allow-list of client_id URLs (config `mcpClientMetadataUrls`, FACADE_CLIENT_METADATA_URLS): exact URLs, or
 * patterns where `*` stands for exactly one path segment, so that ChatGPT's per-connector documents
 * (`https://chatgpt.com/oauth/<callback_id>/client.json`) need no redeploy each. The scheme and host of a pattern are
 * always exact; `*` never reaches the host, port, query or a second segment, so a pattern can only name documents the
 * host itself serves. Matching compares strings, never a normalised URL: `https://ChatGPT.com/…` or
 * `https://chatgpt.com:443/…` is not `https://chatgpt.com/…`, as the CIMD draft's exact client_id comparison wants.
 *
 * One exception, which no validated allow-list can hold (clientIdPatternProblem refuses it): local mode's tests-only
 * switch (startLocal's testClientMetadataUrls) adds `http://127.0.0.1:<port>/…` entries, patterns among them, so
 * that tests serve per-connector documents on loopback and match them with this very code.
 */

/**
 * A client identifier URL as the CIMD draft allows it (draft-ietf-oauth-client-id-metadata-document-02 §3): https,
 * a path other than "/", no fragment, no user info, no dot segments.
 */
export function isClientIdUrl(value: unknown): value is string {
    if (typeof value !== "string" || !URL.canParse(value)) {
        return false;
    }
    const url = new URL(value);
    return url.protocol === "https:" && url.pathname !== "/" && url.hash === "" && !value.includes("#")
        && url.username === "" && url.password === "" && !/\/\.\.?(\/|$)/.test(value.slice(url.origin.length));
}

/** What `*` may stand for: RFC 3986 unreserved characters only, so no `/`, no `%2F` (nor any escape), no `?` or `#`. */
const SEGMENT = /^[A-Za-z0-9._~-]+$/;
/** A harmless segment that stands in for `*` when a pattern's shape is checked as a client_id URL. */
const PLACEHOLDER = "x";

/** Why `entry` is not an allow-list entry, or undefined when it is one. Words for a config error. */
export function clientIdPatternProblem(entry: unknown): string | undefined {
    if (typeof entry !== "string") {
        return "must be a string";
    }
    if (!entry.includes("*")) {
        return isClientIdUrl(entry) ? undefined : "must be an https URL with a path, no fragment, no user info and no dot segments";
    }
    const split = originAndPath(entry);
    if (split === undefined || split.loopbackTest) {
        return "may use * only in its path: the scheme and host of a pattern are exact (https://<host>/…/*/…)";
    }
    if (entry.includes("?") || entry.includes("#")) {
        return "a pattern may have no query and no fragment";
    }
    if (split.segments.some((segment) => segment.includes("*") && segment !== "*")) {
        return "may use * only as a whole path segment (…/oauth/*/client.json), never inside one";
    }
    if (!isClientIdUrl(`${split.origin}/${split.segments.map((s) => (s === "*" ? PLACEHOLDER : s)).join("/")}`)) {
        return "must be an https URL with a path, no fragment, no user info and no dot segments";
    }
    return undefined;
}

/** An entry the allow-list takes: an exact client_id URL or a pattern. */
export function isAllowListEntry(entry: unknown): entry is string {
    return clientIdPatternProblem(entry) === undefined;
}

/** True when `clientId` is one of `entries` exactly, or matches one of its patterns. */
export function isAllowedClientId(entries: readonly string[], clientId: string): boolean {
    return entries.includes(clientId) || entries.some((entry) => entry.includes("*") && matchesPattern(entry, clientId));
}

/** `clientId` against one pattern: the same origin text, the same number of segments, each literal equal. */
export function matchesPattern(pattern: string, clientId: string): boolean {
    const want = originAndPath(pattern);
    const have = originAndPath(clientId);
    if (want === undefined || have === undefined || want.origin !== have.origin || want.segments.length !== have.segments.length) {
        return false;
    }
    const segmentsMatch = want.segments.every((segment, i) => (segment === "*"
        ? SEGMENT.test(have.segments[i]) && have.segments[i] !== "." && have.segments[i] !== ".."
        : segment === have.segments[i]));
    // Whatever matched must still be a client_id URL the draft allows (§3); a loopback test URL, but for its scheme.
    return segmentsMatch && isClientIdUrl(have.loopbackTest ? `https://${clientId.slice("http://".length)}` : clientId);
}

/**
 * `https://host[:port]` and the path's segments, read from the text itself; undefined when the text before the
 * path holds anything but an https origin without `*`, user info or a query. `loopbackTest` marks local mode's
 * test-only origin, `http://127.0.0.1:<port>`, which only matching accepts.
 */
function originAndPath(text: string): { readonly origin: string; readonly segments: readonly string[]; readonly loopbackTest: boolean } | undefined {
    const match = /^(https:\/\/[^/?#@*\\]+|http:\/\/127\.0\.0\.1:\d{1,5})\/(.*)$/.exec(text);
    if (match === null) {
        return undefined;
    }
    return { origin: match[1], segments: match[2].split("/"), loopbackTest: match[1].startsWith("http:") };
}
