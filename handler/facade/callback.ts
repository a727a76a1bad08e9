/**
 * GET /oauth/callback: where Cognito sends the browser back. The signed state says which client asked and where
 * it wants the answer; the client gets Cognito's code (wrapped, envelopes.ts) or Cognito's error, its own state,
 * and `iss` (RFC 9207 §2), which lets it tell this server's responses from another's (mix-up).
 *
 * Replay. A stateless facade cannot tell a callback it has seen from a new one, and does not need to: replaying a
 * callback URL within the state's 10 minutes sends the same Cognito code to the same registered redirect URI, where
 * only the client that holds the PKCE verifier can redeem it, and Cognito redeems a code once. The replay gains the
 * attacker nothing the URL did not already hold; what would matter (redeeming the code) fails at Cognito.
 */
import type { APIGatewayProxyResult } from "aws-lambda";
import { openState, sealCode } from "./envelopes";
import type { FacadeContext } from "./context";
import { errorPage, redirect, withParams } from "./responses";
import { singleValued } from "./request";

/** Cognito's error descriptions are short; a longer one is cut rather than carried. */
const MAX_DESCRIPTION_CHARS = 500;

export function callback(context: FacadeContext, query: ReadonlyMap<string, readonly string[]>): APIGatewayProxyResult {
    const { settings } = context;
    const single = singleValued(query);
    if ("repeated" in single) {
        return errorPage(400, "invalid_request", `The parameter ${single.repeated.slice(0, 40)} is sent more than once.`);
    }
    const params = single.params;
    const now = context.clock();
    const pending = openState(settings.stateKey, params.get("state") ?? "", now);
    if (!pending.ok) {
        // No redirect: without a valid state there is no redirect URI this server has checked.
        return errorPage(400, "invalid_request", pending.reason === "expired"
            ? "The sign-in took longer than 10 minutes."
            : "There is no sign-in in progress for this response.");
    }
    const { clientId, redirectUri, state, codeChallenge } = pending.value;
    const error = params.get("error");
    const code = params.get("code");
    if (error !== undefined || code === undefined) {
        return redirect(withParams(redirectUri, {
            error: error ?? "server_error",
            error_description: (params.get("error_description") ?? (error === undefined ? "The sign-in returned no code." : undefined))?.slice(0, MAX_DESCRIPTION_CHARS),
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
