/**
 * GET /oauth/authorize (RFC 6749 §4.1.1): checks the client and its redirect URI, then the rest of the request,
 * and sends the browser on to Cognito (cognitoAuthorize.ts). A CIMD client's user first sees the facade's consent
 * page (consentPage.ts): every CIMD client signs in through one shadow Cognito client, whose session would sign a
 * returning user in silently for any of them (MCP 2026-07-28, Security Considerations: confused deputy).
 */
import type { APIGatewayProxyResult } from "aws-lambda";
import { cognitoAuthorizeUrl } from "./cognitoAuthorize";
import { consentPage } from "./consentPage";
import { clientKind, registeredRedirectUris, type FacadeContext } from "./context";
import { S256_CHALLENGE } from "./pkce";
import { isRegisteredRedirectUri } from "./redirectUris";
import { errorPage, pageQuery, redirect, withParams } from "./responses";

/**
 * Longest client `state` carried: ample for any client (they send random strings of a few dozen characters), and it
 * rides inside the signed state, which must keep the sign-in request under MAX_QUERY_BYTES.
 */
export const MAX_CLIENT_STATE_CHARS = 400;

/**
 * The longest query string the facade sends a browser to Cognito with. AWS WAF's core rule set blocks query strings
 * over 2,048 bytes (SizeRestrictions_QUERYSTRING, "Baseline rule groups"): the signed state in it comes back in
 * the query of our callback, behind the stack's web ACL (infra/waf.ts), and Cognito's own may have one.
 */
export const MAX_QUERY_BYTES = 2048;

/** `headers`: the request's, for the consent cookie a second tab's page reuses. */
export async function authorize(context: FacadeContext, query: ReadonlyMap<string, readonly string[]>, headers: Readonly<Record<string, string>> = {}): Promise<APIGatewayProxyResult> {
    const { settings } = context;
    const single = pageQuery(query);
    if ("page" in single) {
        return single.page;
    }
    const { params } = single;
    const clientId = params.get("client_id") ?? "";
    const registered = await registeredRedirectUris(context, clientId, URL.canParse(clientId)
        ? "This client_id URL is not one this server accepts (its allow-list, mcpClientMetadataUrls)."
        : "Unknown client_id.");
    if ("page" in registered) {
        return registered.page;
    }
    // Exact string comparison, no normalisation (CIMD draft-02 §8.1; RFC 9700 §4.1.3), but for a loopback IP literal's
    // port (RFC 8252 §7.3, redirectUris.ts). Until it matches, nothing redirects.
    const redirectUri = params.get("redirect_uri");
    if (redirectUri === undefined || !isRegisteredRedirectUri(registered.uris, redirectUri)) {
        return errorPage(400, "invalid_request", "redirect_uri is not one of the client's registered redirect URIs.");
    }

    // From here the redirect URI is trusted: errors go back to it, with the client's state and our issuer (RFC 9207 §2).
    const state = params.get("state");
    const fail = (error: string, description: string) => redirect(withParams(redirectUri, {
        error,
        error_description: description,
        state: state !== undefined && state.length <= MAX_CLIENT_STATE_CHARS ? state : undefined,
        iss: settings.issuer,
    }));
    if (params.get("response_type") !== "code") {
        return fail("unsupported_response_type", "Only the authorization code grant (response_type=code) is supported.");
    }
    const challenge = params.get("code_challenge");
    // RFC 7636 §4.4.1 lets a server require PKCE; MCP 2025-11-25 requires S256, and `plain` protects nothing here.
    if (challenge === undefined || params.get("code_challenge_method") !== "S256" || !S256_CHALLENGE.test(challenge)) {
        return fail("invalid_request", "PKCE is required: send code_challenge (S256, 43 base64url characters) and code_challenge_method=S256.");
    }
    const scope = params.get("scope") ?? settings.scope;
    if (scope.split(" ").filter((s) => s !== "").some((s) => s !== settings.scope)) {
        return fail("invalid_scope", `The only scope is ${settings.scope}.`);
    }
    const resource = params.get("resource");
    if (resource !== undefined && resource !== settings.resource) {
        return fail("invalid_target", "resource must be this MCP server's URL (RFC 8707).");
    }
    if (state !== undefined && state.length > MAX_CLIENT_STATE_CHARS) {
        return fail("invalid_request", `state is over ${MAX_CLIENT_STATE_CHARS} characters.`);
    }
    // RFC 6749 Appendix A.5: state is VSCHAR (printable ASCII), which keeps its escaped form in the signed state at
    // most twice its length.
    if (state !== undefined && !/^[\x20-\x7e]*$/.test(state)) {
        return fail("invalid_request", "state must be printable ASCII (RFC 6749, Appendix A.5).");
    }
    const request = { clientId, redirectUri, codeChallenge: challenge, ...(state === undefined ? {} : { state }), ...(resource === undefined ? {} : { resource }) };
    const location = cognitoAuthorizeUrl(context, request);
    // A long client_id or redirect URI leaves less room for the state; the client learns so here, before any consent
    // page, not from a WAF's 403. /consent sends the same request on, so it fits there too.
    if (location.length - location.indexOf("?") - 1 > MAX_QUERY_BYTES) {
        return fail("invalid_request", `state is too long for this client: the sign-in request would exceed ${MAX_QUERY_BYTES} bytes of query string; send a shorter state.`);
    }
    // Clients the stack owner registered (mcpCallbackUrl(s)) were consented to by registering them.
    return clientKind(settings, clientId) === "cimd"
        ? consentPage(context, request, registered.clientName, headers)
        : redirect(location);
}
