/** The facade's answers: redirects, the error page shown when redirecting would be unsafe, and JSON. */
import type { APIGatewayProxyResult } from "aws-lambda";
import { singleValued } from "./request";

/**
 * On every answer: never cached (RFC 6749 §5.1), no Referer carrying a code or state to the next page (RFC 9700
 * §4.2.4; the Fetch standard applies a redirect's policy to the request it causes), no content sniffing.
 */
export const BASE_HEADERS: Readonly<Record<string, string>> = {
    "Cache-Control": "no-store",
    Pragma: "no-cache",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
};

export function redirect(location: string): APIGatewayProxyResult {
    return { statusCode: 302, headers: { Location: location, ...BASE_HEADERS }, body: "" };
}

/**
 * `uri` with `params` appended to its query, form-encoded (RFC 6749 §3.1.2, Appendix B). The URI's own text is kept
 * byte for byte, never re-encoded: a client compares its redirect URI as it registered it. Registered URIs carry no
 * fragment and none of the response parameters (redirectUris.ts), so nothing here is overridden or duplicated.
 */
export function withParams(uri: string, params: Readonly<Record<string, string | undefined>>): string {
    const added = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
        if (value !== undefined) {
            added.append(key, value);
        }
    }
    const query = added.toString();
    const hash = uri.indexOf("#");
    const [base, fragment] = hash < 0 ? [uri, ""] : [uri.slice(0, hash), uri.slice(hash)];
    if (query === "") {
        return uri;
    }
    const separator = !base.includes("?") ? "?" : base.endsWith("?") || base.endsWith("&") ? "" : "&";
    return `${base}${separator}${query}${fragment}`;
}

export function escapeHtml(text: string): string {
    return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * An error the user sees instead of a redirect: for a request whose redirect URI is not (yet) trusted, RFC 6749
 * §4.1.2.1 forbids redirecting. A page that runs nothing, loads nothing and cannot be framed.
 */
export function errorPage(status: number, error: string, description: string): APIGatewayProxyResult {
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`
        + `<title>Sign-in error</title></head><body style="font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem">`
        + `<h1>Sign-in cannot continue</h1><p>${escapeHtml(description)}</p><p><small>${escapeHtml(error)}</small></p>`
        + `<p>Go back to the app you came from and connect again.</p></body></html>`;
    return {
        statusCode: status,
        headers: {
            "Content-Type": "text/html; charset=utf-8",
            ...BASE_HEADERS,
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
            "X-Frame-Options": "DENY",
        },
        body: html,
    };
}

export function json(status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): APIGatewayProxyResult {
    return { statusCode: status, headers: { "Content-Type": "application/json", ...BASE_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/** An RFC 6749 §5.2 error response. */
export function oauthError(status: number, error: string, description: string, headers: Readonly<Record<string, string>> = {}): APIGatewayProxyResult {
    return json(status, { error, error_description: description }, headers);
}

/**
 * The query of an endpoint a browser reaches (authorize, callback), each parameter once (RFC 6749 §3.1), or the error
 * page for one sent more often: before the redirect URI is known good, nothing may redirect (RFC 6749 §4.1.2.1).
 */
export function pageQuery(query: ReadonlyMap<string, readonly string[]>): { readonly params: ReadonlyMap<string, string> } | { readonly page: APIGatewayProxyResult } {
    const single = singleValued(query);
    return "repeated" in single
        ? { page: errorPage(400, "invalid_request", `The parameter ${single.repeated.slice(0, 40)} is sent more than once.`) }
        : single;
}
