/**
 * gpt-action: ChatGPT (a GPT Action, and an app through MCP) on AWS. Reads the stack's settings, hands each component
 * its group (infra/settings.ts lists them), and exports what the builder pastes into ChatGPT (infra/outputs.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import { GptActionApi } from "./infra/api";
import { CognitoAuth } from "./infra/auth";
import { loadConfig } from "./infra/loadConfig";
import { mcpApiArgs, stackOutputs } from "./infra/outputs";
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
const { customDomain } = config.domains;
const auth = new CognitoAuth("gpt-action", {
    ...config.auth, customDomain: customDomain?.auth, mcp: config.mcp && { ...config.mcp, resourceUrl: mcpResourceUrl },
});
const api = new GptActionApi("gpt-action", {
    ...config.api, ...config.network, customDomain: customDomain?.api, routes,
    userPoolArn: auth.userPool.arn, appClientId: auth.client.id, mcp: mcpApiArgs(auth),
});
if (api.mcpUrl !== undefined) {
    resolveMcpResourceUrl(api.mcpUrl);
}

export const { apiUrl, openApiSchema, clientId, clientSecret, authorizationUrl, tokenUrl, scope, tokenExchangeMethod, callbackUrls, userPoolId,
    testUserTemporaryPassword, mcpServerUrl, mcpClientId, mcpClientSecret, mcpCallbackUrls, nextStep } = stackOutputs(config, auth, api);
