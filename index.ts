/**
 * gpt-action: ChatGPT (a GPT Action, and an app through MCP) on AWS. Reads the stack's config, builds the OAuth
 * server (CognitoAuth) and the API (GptActionApi), and exports what the builder pastes into ChatGPT.
 */
import * as pulumi from "@pulumi/pulumi";
import { GptActionApi } from "./infra/api";
import { CognitoAuth } from "./infra/auth";
import { TOKEN_EXCHANGE_METHOD } from "./infra/config";
import { loadConfig } from "./infra/loadConfig";
import { routeTableError } from "./infra/routeTable";
import { routeList } from "./handler/routes";

const config = loadConfig();
const routes = routeList();
// Checked before anything is declared, so a bad table stops the program with nothing half-made.
const routeProblem = routeTableError(routes);
if (routeProblem !== undefined) {
    throw new pulumi.RunError(routeProblem);
}

// The MCP resource server is named by the MCP URL, which the API makes; the API's function takes the MCP client's
// id. A deferred output breaks that circle between the two components (no resource depends on itself).
const [mcpResourceUrl, resolveMcpResourceUrl] = pulumi.deferredOutput<string>();

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
    mcp: config.mcp === undefined ? undefined : {
        resourceUrl: mcpResourceUrl,
        callbackUrls: config.mcp.callbackUrls,
        publicClient: config.mcp.publicClient,
    },
});

const api = new GptActionApi("gpt-action", {
    userPoolArn: auth.userPool.arn,
    appClientId: auth.client.id,
    scopes: config.scopes,
    routes,
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
    mcp: auth.mcpClient === undefined || auth.mcpScope === undefined ? undefined : {
        clientId: auth.mcpClient.id,
        scope: auth.mcpScope,
        cognito: {
            authorizationEndpoint: auth.authorizationUrl,
            tokenEndpoint: auth.tokenUrl,
            revocationEndpoint: auth.revocationUrl,
            jwksUri: auth.jwksUrl,
        },
    },
});
if (api.mcpUrl !== undefined) {
    resolveMcpResourceUrl(api.mcpUrl);
}

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
/** ChatGPT app (MCP): the MCP server URL. */
export const mcpServerUrl = api.mcpUrl;
/** ChatGPT app (MCP) → Advanced OAuth settings: the user-defined client's ID. */
export const mcpClientId = auth.mcpClient?.id;
/** … and its secret (a Pulumi secret); absent for a public client. */
export const mcpClientSecret = auth.mcpClientSecret;
/** The redirect URIs the MCP app client accepts. */
export const mcpCallbackUrls = config.mcp?.callbackUrls;
/** What to do next, while a callback URL (the GPT Action's, the MCP app's) is not configured yet. */
export const nextStep = nextSteps([
    config.awaitingCallbackUrl ? "GPT Action: save the Action in ChatGPT, copy the callback URL it shows, then run: pulumi config set callbackUrl <url> && pulumi up" : undefined,
    config.mcp?.awaitingCallbackUrl === true ? "ChatGPT app (MCP): create the app with mcpServerUrl, mcpClientId and mcpClientSecret, copy the callback URL it shows, then run: pulumi config set mcpCallbackUrl <url> && pulumi up" : undefined,
]);

function nextSteps(steps: Array<string | undefined>): string | undefined {
    const left = steps.filter((step) => step !== undefined);
    return left.length === 0 ? undefined : left.join("\n");
}
