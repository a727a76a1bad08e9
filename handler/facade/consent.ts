/**
 * POST /oauth/consent: the consent page's Allow or Deny. The form token is the authorization request /authorize
 * validated, signed and short-lived (consentToken.ts); it must come with the cookie nonce it names (the browser that
 * opened the page), from this server's own page, once. Allow sends the browser on to Cognito exactly as /authorize
 * sends a static client; Deny sends `access_denied` to the client's redirect URI (RFC 6749 §4.1.2.1) with its
 * `state` and `iss` (RFC 9207 §2). Anything wrong gets a page, never a redirect: nothing here is trusted before it.
 */
import type { APIGatewayProxyResult } from "aws-lambda";
import { cognitoAuthorizeUrl } from "./cognitoAuthorize";
import { nonceMatches, openConsent, readConsentCookie } from "./consentToken";
import { registeredRedirectUris, type FacadeContext } from "./context";
import { isRegisteredRedirectUri } from "./redirectUris";
import { singleValued, type FacadeRequest } from "./request";
import { errorPage, redirect, withParams } from "./responses";

/** The form is a token of a few KiB and a word. */
const MAX_FORM_CHARS = 16 * 1024;

/** POST → GET: 303 (RFC 9110 §15.4.4); RFC 6749 §3.1.2 allows any redirect but 307. */
const seeOther = (location: string): APIGatewayProxyResult => ({ ...redirect(location), statusCode: 303 });

const refused = (status: number, description: string) => errorPage(status, "invalid_request", description);

function readForm(request: FacadeRequest): ReadonlyMap<string, string> | undefined {
    const contentType = (request.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
    if (contentType !== "application/x-www-form-urlencoded" || request.body === undefined || request.body.length > MAX_FORM_CHARS) {
        return undefined;
    }
    const values = new Map<string, string[]>();
    for (const [key, value] of new URLSearchParams(request.body)) {
        values.set(key, [...(values.get(key) ?? []), value]);
    }
    const single = singleValued(values);
    return "repeated" in single ? undefined : single.params;
}

export async function consent(context: FacadeContext, request: FacadeRequest): Promise<APIGatewayProxyResult> {
    const { settings } = context;
    // Fetch Metadata: a browser names where the POST came from; only this server's own page may send it.
    const site = request.headers["sec-fetch-site"];
    if (site !== undefined && site !== "same-origin") {
        return refused(403, "This consent was not sent from this server's own page.");
    }
    const form = readForm(request);
    const decision = form?.get("decision");
    if (form === undefined || (decision !== "allow" && decision !== "deny")) {
        return refused(400, "The consent form is incomplete: go back to the app and connect again.");
    }
    const opened = openConsent(settings.stateKey, form.get("consent") ?? "", context.clock());
    if (!opened.ok) {
        return refused(400, opened.reason === "expired"
            ? "The consent page was open longer than 5 minutes: go back to the app and connect again."
            : "This consent form is not valid: go back to the app and connect again.");
    }
    const { request: authorization, nonceHash, id, expiresAt } = opened.value;
    // Double-submit: the cookie set with the page, which another site can neither read nor send (SameSite=Strict).
    if (!nonceMatches(readConsentCookie(request.headers, settings.issuer), nonceHash)) {
        return refused(403, "This consent form was not opened in this browser: go back to the app and connect again.");
    }
    // As at /callback: the redirect URI is checked against the client's registered ones again, not taken from the token alone.
    const registered = await registeredRedirectUris(context, authorization.clientId, "The client that started this sign-in is no longer accepted by this server.");
    if ("page" in registered) {
        return registered.page;
    }
    if (!isRegisteredRedirectUri(registered.uris, authorization.redirectUri)) {
        return refused(400, "The sign-in's redirect_uri is not one of the client's registered redirect URIs.");
    }
    if (!context.usedConsents.use(id, expiresAt)) {
        return refused(400, "This consent form was already used: go back to the app and connect again.");
    }
    if (decision === "deny") {
        return seeOther(withParams(authorization.redirectUri, {
            error: "access_denied",
            error_description: "The user denied the app access.",
            state: authorization.state,
            iss: settings.issuer,
        }));
    }
    return seeOther(cognitoAuthorizeUrl(context, authorization));
}
