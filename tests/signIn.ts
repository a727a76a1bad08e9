/** A user at local mode's hosted UI, for tests: follows an authorize URL to the login form and submits it. */
import { expect } from "chai";
import { createHash, randomBytes } from "node:crypto";
import { facadeUrls } from "../handler/facade/paths";

/** The hidden fields of the login page's form. */
export function hiddenFields(html: string): Record<string, string> {
    const unescape = (s: string) => s.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
    const fields: Record<string, string> = {};
    for (const match of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
        fields[unescape(match[1])] = unescape(match[2]);
    }
    return fields;
}

/** The OAuth servers' own hops a browser passes through: the OAuth facade's authorize and callback, Cognito's authorize. */
function isServerHop(url: URL): boolean {
    return url.pathname === "/oauth2/authorize" || /\/oauth\/(authorize|callback)$/.test(url.pathname);
}

/** Follows `response`'s redirects through the OAuth servers' hops; returns the first other place it points to. */
async function followHops(response: Response, from: URL | string): Promise<URL> {
    let res = response;
    let base = new URL(from);
    for (let hop = 0; ; hop++) {
        expect(res.status, "a redirect").to.be.oneOf([302, 303]);
        const next = new URL(res.headers.get("location") ?? "", base);
        if (!isServerHop(next) || hop >= 5) {
            return next;
        }
        res = await fetch(next, { redirect: "manual" });
        base = next;
    }
}

/**
 * The facade's consent page (a CIMD client's), answered with `decision` from the same browser: its form token and
 * the cookie the page set go back to the form's action. Any other response is returned as it is.
 */
export async function passConsent(response: Response, decision: "allow" | "deny" = "allow"): Promise<Response> {
    if (response.status !== 200) {
        return response;
    }
    const html = await response.text();
    const action = /<form method="post" action="([^"]+)">/.exec(html)?.[1];
    const token = hiddenFields(html).consent;
    if (action === undefined || token === undefined) {
        return new Response(html, { status: response.status, headers: response.headers });
    }
    const cookie = (response.headers.get("set-cookie") ?? "").split(";")[0];
    return fetch(action, { method: "POST", headers: { Cookie: cookie }, body: new URLSearchParams({ consent: token, decision }), redirect: "manual" });
}

/**
 * authorize → (the facade's consent page, answered with `decision`) → login page → POST of the credentials, as a
 * browser would, through the OAuth facade's and Cognito's redirects; returns where the last redirect points (the
 * client's callback with `code` or `error`).
 */
export async function signIn(authorizeUrl: URL | string, user: { readonly username: string; readonly password: string }, decision: "allow" | "deny" = "allow"): Promise<URL> {
    const next = await followHops(await passConsent(await fetch(authorizeUrl, { redirect: "manual" }), decision), authorizeUrl);
    if (next.pathname !== "/login") {
        return next; // an error sent back to the client's callback
    }
    const page = await fetch(next);
    expect(page.status).to.equal(200);
    const form = new URLSearchParams({ ...hiddenFields(await page.text()), ...user });
    const login = new URL("/login", next);
    return followHops(await fetch(login, { method: "POST", body: form, redirect: "manual" }), login);
}

/** What the sign-in needs of local mode's outputs. */
interface McpOutputs {
    readonly apiUrl: string;
    readonly authorizationUrl: string;
    readonly tokenUrl: string;
    readonly mcpServerUrl?: string;
    readonly mcpClientId?: string;
    readonly mcpClientSecret?: string;
    readonly mcpCallbackUrls?: readonly string[];
    readonly testUser: { readonly username: string; readonly password: string };
}

/**
 * The MCP client's tokens, as an MCP client gets them from the OAuth facade the metadata names: authorize with PKCE
 * (S256), the MCP scope and the RFC 8707 `resource`, the user's sign-in, then the code exchange with the client's secret.
 */
export async function mcpTokens(outputs: McpOutputs, scope: string): Promise<{ access_token: string; refresh_token: string }> {
    const verifier = randomBytes(32).toString("base64url");
    const redirectUri = outputs.mcpCallbackUrls?.[0] ?? "";
    const resource = outputs.mcpServerUrl ?? "";
    const endpoints = facadeUrls(outputs.apiUrl);
    const authorize = new URL(endpoints.authorize);
    authorize.search = new URLSearchParams({
        response_type: "code", client_id: outputs.mcpClientId ?? "", redirect_uri: redirectUri, scope, state: "s", resource,
        code_challenge: createHash("sha256").update(verifier).digest("base64url"), code_challenge_method: "S256",
    }).toString();
    const back = await signIn(authorize, outputs.testUser);
    const secret = outputs.mcpClientSecret;
    const res = await fetch(endpoints.token, {
        method: "POST",
        headers: secret === undefined ? {} : { Authorization: `Basic ${Buffer.from(`${outputs.mcpClientId ?? ""}:${secret}`).toString("base64")}` },
        body: new URLSearchParams({
            grant_type: "authorization_code", code: back.searchParams.get("code") ?? "", redirect_uri: redirectUri, code_verifier: verifier, resource,
            ...(secret === undefined ? { client_id: outputs.mcpClientId ?? "" } : {}),
        }),
    });
    expect(res.status, "the code exchange succeeds").to.equal(200);
    return await res.json() as { access_token: string; refresh_token: string };
}
