/**
 * What to run after local mode's own callback received a code: the token request for the flow the code came from,
 * ready to paste. A code from the OAuth facade carries `iss` (RFC 9207), one from the Cognito-shaped server does not.
 */

export interface CallbackContext {
    /** The Cognito-shaped token endpoint, and the GPT Action's client that signs in there. */
    readonly tokenUrl: string;
    readonly clientId: string;
    /** This callback's own URL: the redirect_uri the token request repeats. */
    readonly callbackUrl: string;
    /** The OAuth facade's issuer (its `iss`) and token endpoint, when the MCP surface is on. */
    readonly facade?: { readonly issuer: string; readonly tokenUrl: string };
}

/** The command, and a line on what to fill in; undefined when the callback holds no code (an error came back). */
export function nextStep(query: URLSearchParams, context: CallbackContext): { readonly command: string; readonly note: string } | undefined {
    const code = query.get("code");
    if (code === null) {
        return undefined;
    }
    const shared = `-d grant_type=authorization_code -d 'code=${code}' --data-urlencode 'redirect_uri=${context.callbackUrl}'`;
    const { facade } = context;
    if (facade !== undefined && query.get("iss") === facade.issuer) {
        return {
            command: `curl -s '${facade.tokenUrl}' ${shared} -d 'client_id=<your client id>' -d 'code_verifier=<your PKCE verifier>'`,
            note: "The code came through the OAuth facade: the MCP client that started the sign-in redeems it with its own PKCE verifier (and its secret, if it has one), once.",
        };
    }
    return {
        command: `curl -s -u "${context.clientId}:$CLIENT_SECRET" '${context.tokenUrl}' ${shared}`,
        note: "CLIENT_SECRET: the clientSecret npm run local printed (LOCAL_CLIENT_SECRET when you set one). The code works once, within 5 minutes.",
    };
}
