/**
 * gpt-action: a ChatGPT custom GPT Action on AWS. Reads the stack's config, builds the OAuth server
 * (CognitoAuth) and the API (GptActionApi), and exports what the GPT builder pastes into ChatGPT.
 */
import { GptActionApi } from "./infra/api";
import { CognitoAuth } from "./infra/auth";
import { TOKEN_EXCHANGE_METHOD } from "./infra/config";
import { loadConfig } from "./infra/loadConfig";
import { routeList } from "./handler/routes";

const config = loadConfig();

const auth = new CognitoAuth("gpt-action", {
    callbackUrls: config.callbackUrls,
    scopes: config.scopes,
    domainPrefix: config.domainPrefix,
    domainPrefixBase: config.domainPrefixBase,
    testUserEmail: config.testUserEmail,
    mfa: config.mfa,
    deletionProtection: config.deletionProtection,
    accessTokenMinutes: config.accessTokenMinutes,
    refreshTokenDays: config.refreshTokenDays,
    threatProtection: config.threatProtection,
    identityProviders: config.identityProviders,
    localUsers: config.localUsers,
    customDomain: config.customDomain?.auth,
});

const api = new GptActionApi("gpt-action", {
    userPoolArn: auth.userPool.arn,
    appClientId: auth.client.id,
    scopes: config.scopes,
    routes: routeList(),
    stageName: config.stageName,
    corsAllowOrigin: config.corsAllowOrigin,
    lambdaTimeout: config.lambdaTimeout,
    lambdaMemory: config.lambdaMemory,
    lambdaReservedConcurrency: config.lambdaReservedConcurrency,
    logRetentionDays: config.logRetentionDays,
    accessLogs: config.accessLogs,
    apiGatewayCloudWatchRole: config.apiGatewayCloudWatchRole,
    throttle: config.throttle,
    tracing: config.tracing,
    waf: config.waf,
    vpc: config.vpc,
    customDomain: config.customDomain?.api,
});

// `pulumi stack output <name>` prints one; add --show-secrets for clientSecret and testUserTemporaryPassword.
/** The API's base URL: the stage URL, or https://<api host> with customDomain. */
export const apiUrl = api.url;
/** Paste into the GPT's Action: Schema. */
export const openApiSchema = api.openApiSchema;
/** Authentication → OAuth: Client ID. */
export const clientId = auth.client.id;
/** Authentication → OAuth: Client Secret (a Pulumi secret). */
export const clientSecret = auth.clientSecret;
/** Authentication → OAuth: Authorization URL. */
export const authorizationUrl = auth.authorizationUrl;
/** Authentication → OAuth: Token URL. */
export const tokenUrl = auth.tokenUrl;
/** Authentication → OAuth: Scope. One scope is enough: each method accepts any of the configured ones. */
export const scope = config.chatGptScope;
/** Authentication → OAuth: Token Exchange Method. */
export const tokenExchangeMethod = TOKEN_EXCHANGE_METHOD;
/** The redirect URIs the app client accepts. */
export const callbackUrls = config.callbackUrls;
export const userPoolId = auth.userPool.id;
/** The test user's temporary password (a Pulumi secret); the hosted UI asks for a new one at first login. */
export const testUserTemporaryPassword = auth.testUserTemporaryPassword;
/** What to do next, while ChatGPT's callback URL is not configured yet. */
export const nextStep = config.awaitingCallbackUrl
    ? "Save the Action in ChatGPT, copy the callback URL it shows, then run: pulumi config set callbackUrl <url> && pulumi up"
    : undefined;
