/**
 * Which redirect URIs a client may register: a CIMD document's `redirect_uris`, a static client's callback URLs.
 * The facade sends browsers with codes to these, byte for byte (responses.ts withParams), so it takes only:
 * - `https:`, or `http:` on a loopback host (127.0.0.1, [::1], localhost) for native and test clients (RFC 8252
 *   §7.3; RFC 9700 §2.6). Private-use schemes (`com.example.app:/cb`, RFC 8252 §7.1) are refused: the clients this
 *   stack serves (ChatGPT, Claude, MCP Inspector) use https or loopback callbacks. `javascript:`, `data:` and any
 *   other scheme are refused;
 * - no fragment (RFC 6749 §3.1.2);
 * - no `code`, `state`, `iss`, `error`, `error_description` or `error_uri` in its query: the facade appends these
 *   (RFC 6749 §4.1.2, §4.1.2.1; RFC 9207 §2), and a second copy would make the client read a fixed value;
 * - printable ASCII only (RFC 3986 §2): what is sent as a Location header must be exactly what was compared.
 */

const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(["127.0.0.1", "[::1]", "localhost"]);

/** The parameters an authorization response carries, which a redirect URI's own query may not. */
const RESPONSE_PARAMETERS: readonly string[] = ["code", "state", "iss", "error", "error_description", "error_uri"];

export function isRedirectUri(value: unknown): value is string {
    if (typeof value !== "string" || !/^[\x21-\x7e]+$/.test(value) || value.includes("#") || !URL.canParse(value)) {
        return false;
    }
    const url = new URL(value);
    if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname))) {
        return false;
    }
    return ![...url.searchParams.keys()].some((key) => RESPONSE_PARAMETERS.includes(key));
}

/** The loopback IP literals whose port a native client picks at run time (RFC 8252 §7.3); not `localhost` (§8.3). */
const LOOPBACK_IP_HOSTS: ReadonlySet<string> = new Set(["127.0.0.1", "[::1]"]);

/**
 * Whether `requested` is one of the client's `registered` redirect URIs: exactly the same string (RFC 9700
 * §4.1.3), or, for a registered `http://127.0.0.1/…` or `http://[::1]/…`, the same URI on any port (RFC 8252 §7.3:
 * the authorization server MUST allow any port for loopback IP redirect URIs). Everything but the port is still
 * compared as text, so the path, query and host are exactly the registered ones.
 */
export function isRegisteredRedirectUri(registered: readonly string[], requested: string): boolean {
    return registered.includes(requested) || registered.some((uri) => loopbackAnyPort(uri) === loopbackAnyPort(requested) && loopbackAnyPort(uri) !== undefined);
}

/** `uri` with its port removed, if it is an http URI on a loopback IP literal; undefined otherwise. */
function loopbackAnyPort(uri: string): string | undefined {
    const match = /^http:\/\/(127\.0\.0\.1|\[::1\])(?::(\d{1,5}))?(\/[^#]*)?$/.exec(uri);
    if (match === null || !LOOPBACK_IP_HOSTS.has(match[1]) || (match[2] !== undefined && Number(match[2]) > 65535)) {
        return undefined;
    }
    return `http://${match[1]}${match[3] ?? ""}`;
}
