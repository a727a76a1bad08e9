/**
 * gpt-action: ChatGPT (a GPT Action, and an app through MCP) on AWS. Reads the stack's settings, hands each component
 * its group (infra/settings.ts lists them), and exports what the builder pastes into ChatGPT (infra/outputs.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import { GptActionApi } from "./infra/api";
import { CognitoAuth } from "./infra/auth";
import { tableGroups } from "./infra/grants";
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

// The MCP resource server and the facade's callback are named by the API's URL, which the API makes; the API takes
// the MCP clients' ids. A deferred output breaks that circle between the two components (no resource needs itself).
const [apiBaseUrl, resolveApiBaseUrl] = pulumi.deferredOutput<string>();
const { customDomain } = config.domains;
const auth = new CognitoAuth("gpt-action", {
    ...config.auth, groups: tableGroups(routes), customDomain: customDomain?.auth, mcp: config.mcp && { ...config.mcp, apiUrl: apiBaseUrl },
});
const api = new GptActionApi("gpt-action", {
    ...config.api, ...config.network, customDomain: customDomain?.api, routes,
    userPoolArn: auth.userPool.arn, appClientId: auth.client.id, mcp: mcpApiArgs(auth, config.mcp),
});
resolveApiBaseUrl(api.baseUrl);

export const { apiUrl, openApiSchema, clientId, clientSecret, authorizationUrl, tokenUrl, scope, tokenExchangeMethod, callbackUrls, userPoolId,
    testUserTemporaryPassword, mcpServerUrl, mcpClientId, mcpClientSecret, mcpCallbackUrls, executeApiUrl, nextStep } = stackOutputs(config, auth, api);
