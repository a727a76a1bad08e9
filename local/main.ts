/**
 * `npm run local`: the GPT Action and the MCP server on localhost, no AWS account needed. Writes the stack outputs'
 * keys (plus the test user) as JSON to a file only its owner may read, `.local/outputs.json` unless `--outputs-file
 * <path>` (or LOCAL_OUTPUTS_FILE) names another, which `npm run smoke -- <path>` reads; then prints a short summary:
 * the URLs, the client ids, the test user and where the secrets are. `--json` first prints that JSON as one line,
 * for scripts. Settings from the environment: PORT (4000), GPT_ACTION_STACK (dev) or GPT_ACTION_STACK_FILE,
 * LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET, LOCAL_MCP_CLIENT_ID, LOCAL_MCP_CLIENT_SECRET, LOCAL_USERNAME, LOCAL_PASSWORD,
 * and LOCAL_CLIENT_METADATA_URLS: space-separated `http://127.0.0.1:<port>/<path>` URLs of Client ID Metadata Documents
 * you serve yourself, which the OAuth facade then accepts as client ids (local mode only; no stack setting can).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { startLocal } from "./server";

/** Where the outputs go by default: beside local mode's bundle, in a git-ignored directory. */
const DEFAULT_OUTPUTS_FILE = path.join(".local", "outputs.json");

/** Writes through a temporary file and a rename, so that a reader never sees half of it; only the owner may read it. */
function writeOutputsFile(file: string, json: string): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, `${json}\n`, { mode: 0o600 });
    fs.renameSync(temporary, file);
}

/** A shell word for `value`: as is when it is plain, else in single quotes. */
function shellWord(value: string): string {
    return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
}

async function main(): Promise<void> {
    const env = process.env;
    const { values: args } = parseArgs({ options: { "outputs-file": { type: "string" }, json: { type: "boolean" } }, strict: true });
    const outputsFile = args["outputs-file"] ?? (env.LOCAL_OUTPUTS_FILE || DEFAULT_OUTPUTS_FILE);
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
        testClientMetadataUrls: (env.LOCAL_CLIENT_METADATA_URLS ?? "").split(/\s+/).filter((url) => url !== ""),
    });
    const o = local.outputs;
    const json = JSON.stringify(o);
    writeOutputsFile(outputsFile, json);
    if (args.json === true) {
        console.log(json);
    }
    if (local.ignoredSecrets.length > 0) {
        console.error(`Ignored secret config values (local mode cannot decrypt them and does not need them): ${local.ignoredSecrets.join(", ")}`);
    }
    const firstRoute = Object.keys((JSON.parse(o.openApiSchema) as { paths: Record<string, unknown> }).paths)[0];
    const file = shellWord(outputsFile);
    const secretOf = (key: string) => `$(node -p "require('${path.resolve(outputsFile).replace(/\\/g, "/")}').${key}")`;
    const signIn = `${o.authorizationUrl}?response_type=code&client_id=${o.clientId}&redirect_uri=${encodeURIComponent(o.callbackUrls[0])}&scope=${o.scope}&state=try`;
    const mcp = o.mcpServerUrl === undefined ? "" : `
  MCP server   ${o.mcpServerUrl}
  MCP client   ${o.mcpClientId ?? ""} (${o.mcpClientSecret === undefined ? "public, no secret" : "secret: mcpClientSecret in the outputs file"}), callbacks:
               ${(o.mcpCallbackUrls ?? []).join("\n               ")}
               Connect an MCP client: docs/local-mode.md#connect-an-mcp-client-to-local-mode${local.facade === undefined || local.facade.clientMetadataUrls.length === 0 ? "" : `
  CIMD         client ids accepted: ${local.facade.clientMetadataUrls.join(", ")}`}`;
    console.log(`gpt-action local mode on ${local.baseUrl} (stack config: ${local.stackFile}, stage ${local.config.stageName})
  Test user    ${o.testUser.username} / ${o.testUser.password}${local.config.testUserGroups.length === 0 ? "" : `, in ${local.config.testUserGroups.join(", ")}`}
  API          ${o.apiUrl} (GPT Action client ${o.clientId})${mcp}
  Outputs      ${outputsFile}: every value, client secrets included (check them: npm run smoke -- ${file})

Sign in as the GPT Action does: open this URL, sign in as the test user, and copy the code the page shows.
  ${signIn}
Exchange the code (the secret is read from the outputs file):
  curl -s -u "${o.clientId}:${secretOf("clientSecret")}" -d grant_type=authorization_code -d code=CODE --data-urlencode 'redirect_uri=${o.callbackUrls[0]}' ${o.tokenUrl}
Call the API with the access_token it returns:
  curl -s -X POST -H "Authorization: Bearer ACCESS_TOKEN" -H 'Content-Type: application/json' -d '{}' ${o.apiUrl}${firstRoute}
Ctrl-C stops it.`);
    const stop = () => void local.close().then(() => process.exit(0));
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
});
