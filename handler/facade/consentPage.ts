/**
 * The consent page /authorize shows a CIMD client's user before sending them on to Cognito: who is asking (the
 * client's self-declared name, and the hosts of its client_id and of the redirect URI that will receive the code),
 * for which MCP server, and Allow / Deny. A page that runs no script, loads nothing and cannot be framed.
 */
import type { APIGatewayProxyResult } from "aws-lambda";
import { consentCookie, newNonce, readConsentCookie, sealConsent, type AuthorizationRequest } from "./consentToken";
import type { FacadeContext } from "./context";
import { facadeUrls } from "./paths";
import { BASE_HEADERS, escapeHtml } from "./responses";

/** A name is a label, not a message: longer ones are cut, so a client cannot fill the page with its own text. */
export const MAX_CLIENT_NAME_CHARS = 60;

/**
 * The name as shown: control and bidirectional-override characters removed (they could reorder what the user reads,
 * Unicode TR #36 §2.3), whitespace collapsed, cut at MAX_CLIENT_NAME_CHARS code points. Escaped later, as all text.
 */
export function displayName(name: string | undefined): string | undefined {
    const cleaned = (name ?? "").replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, "").replace(/\s+/g, " ").trim();
    const chars = [...cleaned];
    if (chars.length === 0) {
        return undefined;
    }
    return chars.length > MAX_CLIENT_NAME_CHARS ? `${chars.slice(0, MAX_CLIENT_NAME_CHARS - 1).join("")}…` : cleaned;
}

/** An origin fit for a CSP source list: scheme, host and port only, nothing a header could be split on. */
const CSP_ORIGIN = /^https?:\/\/(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * `form-action` for the page: Allow and Deny each end in a redirect, and Chromium checks every hop of a form's
 * redirect chain against this directive (CSP3 §6.4.1). After a redirect only scheme, host and port are matched (CSP3,
 * "Does url match expression in origin with redirect count?"), so origins suffice.
 * Allow: this server → Cognito's authorize (and its login page, same origin) → this server's callback → the
 * client's redirect URI. Deny: this server → the client's redirect URI.
 */
export function formAction(context: FacadeContext, redirectUri: string): string {
    const origins = [context.settings.cognito.authorizationEndpoint, redirectUri].map((url) => new URL(url).origin).filter((o) => CSP_ORIGIN.test(o));
    return ["'self'", ...new Set(origins)].join(" ");
}

const STYLE = "body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;line-height:1.45;color:#1b1b1b}"
    + "h1{font-size:1.35rem}dl{margin:1rem 0}dt{font-size:.85rem;color:#555;margin-top:.8rem}dd{margin:0;word-break:break-all}"
    + ".name{font-size:1.2rem;font-weight:600}.tag{display:inline-block;font-size:.75rem;background:#fff4d6;border:1px solid #e0b400;"
    + "border-radius:.3rem;padding:0 .35rem;margin-left:.3rem;font-weight:400;vertical-align:middle}"
    + ".code{font-size:1.15rem;font-weight:700;background:#eef3ff;border-left:4px solid #2f5bd3;padding:.3rem .5rem}"
    + ".buttons{display:flex;gap:.75rem;margin-top:1.25rem}button{flex:1;font-size:1.05rem;padding:.75rem;border-radius:.4rem;"
    + "border:1px solid #888;background:#fff;cursor:pointer}button[value=allow]{background:#2f5bd3;color:#fff;border-color:#2f5bd3}";

/** The page for `request`, with a fresh form token, and the cookie it is bound to (reused if the browser has one). */
export function consentPage(context: FacadeContext, request: AuthorizationRequest, clientName: string | undefined, headers: Readonly<Record<string, string>>): APIGatewayProxyResult {
    const { settings } = context;
    const nonce = readConsentCookie(headers, settings.issuer) ?? newNonce();
    const token = sealConsent(settings.stateKey, request, nonce, context.clock());
    const name = displayName(clientName);
    const codeHost = new URL(request.redirectUri).host;
    const server = new URL(settings.issuer).host;
    const e = escapeHtml;
    const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`
        + `<title>Allow access to ${e(server)}?</title><style>${STYLE}</style></head><body>`
        + `<h1>An app wants to use ${e(server)} as you</h1>`
        + `<p class="name">${name === undefined ? "<em>(the app gives no name)</em>" : `“${e(name)}”`}<span class="tag">name given by the app itself, not verified</span></p>`
        + `<dl><dt>Your sign-in code will be sent to</dt><dd class="code">${e(codeHost)}</dd>`
        + `<dt>The app's identity document is at</dt><dd>${e(new URL(request.clientId).host)}</dd>`
        + `<dt>MCP server</dt><dd>${e(server)}</dd></dl>`
        + `<p>Allow only if you just connected this app yourself, and you trust <strong>${e(codeHost)}</strong>: it will be able to use this server's tools as you.</p>`
        + `<form method="post" action="${e(facadeUrls(settings.issuer).consent)}"><input type="hidden" name="consent" value="${e(token)}">`
        + `<div class="buttons"><button type="submit" name="decision" value="deny">Deny</button>`
        + `<button type="submit" name="decision" value="allow">Allow</button></div></form></body></html>`;
    return {
        statusCode: 200,
        headers: {
            "Content-Type": "text/html; charset=utf-8",
            ...BASE_HEADERS,
            "Content-Security-Policy": `default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action ${formAction(context, request.redirectUri)}`,
            "X-Frame-Options": "DENY",
            "Set-Cookie": consentCookie(settings.issuer, nonce),
        },
        body,
    };
}
