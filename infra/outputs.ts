/** How the two components meet (the MCP surface's OAuth side), and the stack's outputs: what the builder pastes into ChatGPT. */
import type { GptActionApi, McpApiArgs } from "./api";
import type { CognitoAuth } from "./auth";
import { TOKEN_EXCHANGE_METHOD, type ConfigGroups, type McpConfig } from "./config";
import { withYamlForm } from "./configFix";

/** What the API's MCP surface takes from the OAuth server and the MCP settings; undefined without MCP. */
export function mcpApiArgs(auth: CognitoAuth, mcp: McpConfig | undefined): McpApiArgs | undefined {
    if (mcp === undefined || auth.mcpClient === undefined || auth.mcpScope === undefined || auth.mcpCimdClient === undefined) {
        return undefined;
    }
    return {
        clientId: auth.mcpClient.id,
        scope: auth.mcpScope,
        cognito: { authorizationEndpoint: auth.authorizationUrl, tokenEndpoint: auth.tokenUrl, revocationEndpoint: auth.revocationUrl, jwksUri: auth.jwksUrl },
        cimdClientId: auth.mcpCimdClient.id,
        redirectUris: mcp.callbackUrls,
        clientMetadataUrls: mcp.mcpClientMetadataUrls,
    };
}

// `pulumi stack output <name>` prints one; add --show-secrets for the client secrets and testUserTemporaryPassword.
export function stackOutputs(config: ConfigGroups, auth: CognitoAuth, api: GptActionApi) {
    return {
        /** The API's base URL: the stage URL, or https://<api host> with customDomain. */
        apiUrl: api.url,
        /** Paste into the GPT's Action: Schema. */
        openApiSchema: api.openApiSchema,
        /** Authentication → OAuth: Client ID. */
        clientId: auth.client.id,
        /** Authentication → OAuth: Client Secret (a Pulumi secret). */
        clientSecret: auth.clientSecret,
        /** Authentication → OAuth: Authorization URL. */
        authorizationUrl: auth.authorizationUrl,
        /** Authentication → OAuth: Token URL. */
        tokenUrl: auth.tokenUrl,
        /** Authentication → OAuth: Scope. One scope is enough: each method accepts any of the configured ones. */
        scope: config.auth.chatGptScope,
        /** Authentication → OAuth: Token Exchange Method. */
        tokenExchangeMethod: TOKEN_EXCHANGE_METHOD,
        /** The redirect URIs the app client accepts. */
        callbackUrls: config.auth.callbackUrls,
        userPoolId: auth.userPool.id,
        /** The test user's temporary password (a Pulumi secret); the hosted UI asks for a new one at first login. */
        testUserTemporaryPassword: auth.testUserTemporaryPassword,
        /** ChatGPT app (MCP): the MCP server URL. */
        mcpServerUrl: api.mcpUrl,
        /** ChatGPT app (MCP) → Advanced OAuth settings: the user-defined client's ID. */
        mcpClientId: auth.mcpClient?.id,
        /** … and its secret (a Pulumi secret); absent for a public client. */
        mcpClientSecret: auth.mcpClientSecret,
        /** The redirect URIs the MCP app client accepts. */
        mcpCallbackUrls: config.mcp?.callbackUrls,
        /** Only with customDomain: the execute-api URL, disabled; npm run smoke checks that it answers 403. */
        executeApiUrl: api.executeApiUrl,
        /** What to do next, while a callback URL (the GPT Action's, the MCP app's) is not configured yet. */
        nextStep: nextSteps([
            config.auth.awaitingCallbackUrl ? "GPT Action: save the Action in ChatGPT, copy the callback URL it shows, then run: pulumi config set callbackUrl <url> && pulumi up" : undefined,
            // With a metadata document allowed (ChatGPT's, by default), ChatGPT needs no callback URL set here.
            config.mcp !== undefined && config.mcp.callbackUrls.length === 0 && config.mcp.mcpClientMetadataUrls.length === 0
                ? "ChatGPT app (MCP): create the app with mcpServerUrl, mcpClientId and mcpClientSecret, copy the callback URL it shows, then run: pulumi config set mcpCallbackUrl <url> && pulumi up" : undefined,
        ]),
    };
}

/** One line per step, each with its command's YAML form for `Pulumi.<stack>.yaml` indented under it. */
function nextSteps(steps: Array<string | undefined>): string | undefined {
    const left = steps.filter((step) => step !== undefined);
    return left.length === 0 ? undefined : left.map((step) => withYamlForm(step, 2)).join("\n");
}
