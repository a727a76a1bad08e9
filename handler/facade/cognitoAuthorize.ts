/**
 * Where a validated authorization request goes on: Cognito's authorize endpoint, as the app client Cognito knows
 * (the shadow client for a CIMD client), with the facade's callback as redirect URI and the request signed into
 * `state`. The client's PKCE challenge goes through unchanged, so Cognito checks the client's verifier at the code
 * exchange (RFC 7636 §4.3-4.6). /authorize sends static clients here at once; /consent, CIMD clients after Allow.
 */
import type { AuthorizationRequest } from "./consentToken";
import { clientKind, type FacadeContext } from "./context";
import { sealState } from "./envelopes";
import { withParams } from "./responses";

export function cognitoAuthorizeUrl(context: FacadeContext, request: AuthorizationRequest): string {
    const { settings } = context;
    const { clientId, redirectUri, state, codeChallenge, resource } = request;
    const signedState = sealState(settings.stateKey, { clientId, redirectUri, state, codeChallenge }, context.clock());
    return withParams(settings.cognito.authorizationEndpoint, {
        response_type: "code",
        client_id: clientKind(settings, clientId) === "cimd" ? settings.shadowClientId : clientId,
        redirect_uri: settings.callbackUrl,
        scope: settings.scope,
        state: signedState,
        code_challenge: codeChallenge,
        code_challenge_method: "S256",
        resource,
    });
}
