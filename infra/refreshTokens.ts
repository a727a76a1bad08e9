/**
 * Which app clients rotate their refresh tokens, and what that asks of their auth flows. Pure, without Pulumi:
 * infra/auth.ts configures Cognito with it, local mode emulates it, the policy pack checks it.
 *
 * Public clients rotate: OAuth 2.1 §4.3.1 and RFC 9700 §4.14.2 require a public client's refresh tokens to be rotated
 * or sender-constrained, and MCP 2025-11-25 (Authorization, Security Considerations › Token Theft) makes rotation a
 * MUST. With rotation on, Cognito's token endpoint answers a refresh_token grant with a new refresh token and
 * invalidates the one sent after the retry grace period (AWS, "Refresh tokens" › "Refresh token rotation";
 * RefreshTokenRotationType). Confidential clients (the GPT Action's, the MCP client with its secret) do not: their
 * refresh tokens are useless without the client secret (RFC 9700 §4.14.2: client authentication binds them), and a
 * client that lost a rotated token's answer would sign its user out for nothing.
 */

/**
 * How long a rotated-out refresh token still works (RetryGracePeriodSeconds, 0–60): long enough for a client's retry
 * after a lost answer or for its concurrent requests refreshing at once, short enough that a copied token dies soon.
 */
export const RETRY_GRACE_PERIOD_SECONDS = 10;

/** The auth flows of a client that does not rotate: refreshing the hosted UI's tokens, no sign-in through the API. */
export const AUTH_FLOWS = ["ALLOW_REFRESH_TOKEN_AUTH"] as const;

/**
 * The auth flows of a rotating client. "You can't authenticate with REFRESH_TOKEN_AUTH in app clients with refresh
 * token rotation enabled" (AWS, "Refresh tokens"), so it must not be listed; an empty list is no way out, since
 * Cognito reads a client without ExplicitAuthFlows as allowing SRP, custom auth and REFRESH_TOKEN_AUTH
 * (CreateUserPoolClient). The one flow left is the admin password flow, which only an IAM principal allowed
 * cognito-idp:AdminInitiateAuth can use (none is, in this stack): nobody holding the public client id can sign in
 * through the API. The token endpoint's refresh_token grant needs no explicit flow ("Users who sign in with an
 * authorization code grant in managed login ... can always refresh their tokens from the token endpoint", AWS,
 * "The token issuer endpoint"). @pulumi/aws's own example of refreshTokenRotation pairs it the same way, with this
 * flow's legacy name ADMIN_NO_SRP_AUTH.
 */
export const ROTATING_AUTH_FLOWS = ["ALLOW_ADMIN_USER_PASSWORD_AUTH"] as const;

/** A client's rotation setting, as @pulumi/aws's UserPoolClient takes it; undefined for a client that does not rotate. */
export function refreshTokenRotation(publicClient: boolean): { readonly feature: "ENABLED"; readonly retryGracePeriodSeconds: number } | undefined {
    return publicClient ? { feature: "ENABLED", retryGracePeriodSeconds: RETRY_GRACE_PERIOD_SECONDS } : undefined;
}
