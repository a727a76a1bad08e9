/**
 * `npm run local`: the GPT Action on localhost, no AWS account needed. Prints one line of JSON with the same
 * keys as the stack outputs (plus the test user), then how to use it; `--outputs-file <path>` (or
 * LOCAL_OUTPUTS_FILE) also writes that JSON to a file, which `npm run smoke -- <path>` reads. Settings from the
 * environment: PORT (4000), GPT_ACTION_STACK (dev) or GPT_ACTION_STACK_FILE, LOCAL_CLIENT_ID,
 * LOCAL_CLIENT_SECRET, LOCAL_MCP_CLIENT_ID, LOCAL_MCP_CLIENT_SECRET, LOCAL_USERNAME, LOCAL_PASSWORD.
 */
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { startLocal } from "./server";

/** Writes through a temporary file and a rename, so that a reader never sees half of it; only the owner may read it. */
function writeOutputsFile(file: string, json: string): void {
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, `${json}\n`, { mode: 0o600 });
    fs.renameSync(temporary, file);
}

async function main(): Promise<void> {
    const env = process.env;
    const { values: args } = parseArgs({ options: { "outputs-file": { type: "string" } }, strict: true });
    const outputsFile = args["outputs-file"] ?? (env.LOCAL_OUTPUTS_FILE || undefined);
    const port = env.PORT === undefined ? 4000 : Number(env.PORT);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new Error(`PORT=${env.PORT} is not a port number`);
    }
    const local = await startLocal({
        port,
        // An empty variable counts as unset, as in most shells' habits (`GPT_ACTION_STACK= npm run local`).
        stack: env.GPT_ACTION_STACK || undefined,
        stackFile: env.GPT_ACTION_STACK_FILE || undefined,
        clientId: env.LOCAL_CLIENT_ID,
        clientSecret: env.LOCAL_CLIENT_SECRET,
        mcpClientId: env.LOCAL_MCP_CLIENT_ID || undefined,
        mcpClientSecret: env.LOCAL_MCP_CLIENT_SECRET || undefined,
        username: env.LOCAL_USERNAME,
        password: env.LOCAL_PASSWORD,
    });
    const o = local.outputs;
    const json = JSON.stringify(o);
    if (outputsFile !== undefined) {
        writeOutputsFile(outputsFile, json);
    }
    console.log(json);
    if (local.ignoredSecrets.length > 0) {
        console.error(`Ignored secret config values (local mode cannot decrypt them and does not need them): ${local.ignoredSecrets.join(", ")}`);
    }
    const firstRoute = JSON.parse(o.openApiSchema) as { paths: Record<string, unknown> };
    const path = Object.keys(firstRoute.paths)[0];
    console.log(`
gpt-action local mode on ${local.baseUrl} (stack config: ${local.stackFile}, stage ${local.config.stageName})
  API:            ${o.apiUrl}
  Authorization:  ${o.authorizationUrl}
  Token:          ${o.tokenUrl}
  Client:         ${o.clientId} / ${o.clientSecret}
  Test user:      ${o.testUser.username} / ${o.testUser.password}${o.mcpServerUrl === undefined ? "" : `
  MCP server:     ${o.mcpServerUrl} (OAuth discovery from its 401; PKCE S256 required)
  MCP client:     ${o.mcpClientId ?? ""}${o.mcpClientSecret === undefined ? " (public, no secret)" : ` / ${o.mcpClientSecret}`}`}
  Sign in:        ${o.authorizationUrl}?response_type=code&client_id=${o.clientId}&redirect_uri=${encodeURIComponent(o.callbackUrls[0])}&scope=${o.scope}&state=try
  Then exchange the code it shows:
    curl -s -u '${o.clientId}:${o.clientSecret}' -d grant_type=authorization_code -d code=CODE --data-urlencode 'redirect_uri=${o.callbackUrls[0]}' ${o.tokenUrl}
  And call the API:
    curl -s -X POST -H "Authorization: Bearer ACCESS_TOKEN" -H 'Content-Type: application/json' -d '{}' ${o.apiUrl}${path}${outputsFile === undefined ? "" : `
  Outputs written to ${outputsFile}; check them with: npm run smoke -- ${outputsFile}`}
Ctrl-C stops it.`);
    const stop = () => void local.close().then(() => process.exit(0));
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
});
