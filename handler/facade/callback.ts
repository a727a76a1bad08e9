/**
 * GET /oauth/callback: where Cognito sends the browser back. The signed state says which client asked and where
 * it wants the answer; the client gets Cognito's code (wrapped, envelopes.ts) or Cognito's error, its own state,
 * and `iss` (RFC 9207 §2), which lets it tell this server's responses from another's (mix-up).
 *
 * Replay. A stateless facade cannot tell a callback it has seen from a new one, and does not need to: replaying a
 * callback URL within the state's 10 minutes sends the same Cognito code to the same registered redirect URI, where
 * only the client that holds the PKCE verifier can redeem it, and Cognito redeems a code once. The replay gains the
 * attacker nothing the URL did not already hold; what would matter (redeeming the code) fails at Cognito.
 *
 * The redirect URI in the state is checked again against the client's registered ones, as /authorize checked it:
 * the state's signature alone is not trusted to name where a browser goes, so even a leaked state key cannot make
 * this endpoint an open redirector (RFC 9700 §4.11).
 */
import type { APIGatewayProxyResult } from "aws-lambda";
import { registeredRedirectUris, type FacadeContext } from "./context";
import { openState, sealCode } from "./envelopes";
import { isRegisteredRedirectUri } from "./redirectUris";
import { errorPage, pageQuery, redirect, withParams } from "./responses";

/** Cognito's error descriptions are short; a longer one is cut rather than carried. */
const MAX_DESCRIPTION_CHARS = 500;

/** RFC 6749 §4.1.2.1 (Appendix A.7, A.8): error and error_description are %x20-21 / %x23-5B / %x5D-7E. */
const ERROR_CHARSET = /^[\x20-\x21\x23-\x5B\x5D-\x7E]+$/;

export async function callback(context: FacadeContext, query: ReadonlyMap<string, readonly string[]>): Promise<APIGatewayProxyResult> {
    const { settings } = context;
    const single = pageQuery(query);
    if ("page" in single) {
        return single.page;
    }
    const { params } = single;
    const now = context.clock();
    const pending = openState(settings.stateKey, params.get("state") ?? "", now);
    if (!pending.ok) {
        // No redirect: without a valid state there is no redirect URI this server has checked.
        return errorPage(400, "invalid_request", pending.reason === "expired"
            ? "The sign-in took longer than 10 minutes."
            : "There is no sign-in in progress for this response.");
    }
    const { clientId, redirectUri, state, codeChallenge } = pending.value;
    const registered = await registeredRedirectUris(context, clientId, "The client that started this sign-in is no longer accepted by this server.");
    if ("page" in registered) {
        return registered.page;
    }
    // Compared as at /authorize (RFC 9700 §4.1.3; RFC 8252 §7.3); a mismatch gets a page, never a redirect.
    if (!isRegisteredRedirectUri(registered.uris, redirectUri)) {
        return errorPage(400, "invalid_request", "The sign-in's redirect_uri is not one of the client's registered redirect URIs.");
    }
    const error = params.get("error");
    const code = params.get("code");
    if (error !== undefined || code === undefined) {
        const description = (params.get("error_description") ?? (error === undefined ? "The sign-in returned no code." : undefined))?.slice(0, MAX_DESCRIPTION_CHARS);
        const valid = error !== undefined && ERROR_CHARSET.test(error);
        return redirect(withParams(redirectUri, {
            // Anything outside RFC 6749's error charset is not an OAuth error code and is not passed on.
            error: valid ? error : "server_error",
            error_description: description !== undefined && ERROR_CHARSET.test(description) ? description : undefined,
            state,
            iss: settings.issuer,
        }));
    }
    return redirect(withParams(redirectUri, {
        code: sealCode(settings.stateKey, { clientId, redirectUri, cognitoCode: code, codeChallenge }, now),
        state,
        iss: settings.issuer,
    }));
}
