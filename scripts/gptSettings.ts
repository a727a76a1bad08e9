/**
 * `npm run gpt-settings [outputs.json]`: ChatGPT's forms, filled from a deployed stack's outputs, with the next
 * step after each (the README says the same):
 * - the GPT Action form, in the order the action editor shows it (Authentication at the top, then Schema), then
 *   the `callbackUrl` command;
 * - when the stack serves MCP (it has `mcpServerUrl`; not with `mcp: false`), the ChatGPT app's "Create app"
 *   form, field by field (Name, Description, MCP Server URL, Authentication OAuth and nothing else: ChatGPT's
 *   Client ID Metadata Document), then, for clients without CIMD, Advanced settings' user-defined OAuth client
 *   (ID and secret) and the `mcpCallbackUrl` command.
 */
import { DEFAULT_CLIENT_METADATA_URLS } from "../handler/facade/settings";
import { withYamlForm } from "../infra/configFix";
import { readOutputs, type StackOutputs } from "./outputs";

/** A label and its value, printed as one aligned line. */
type Field = readonly [label: string, value: string];

/** Whether `url` is a callback URL of ChatGPT's (a GPT Action's `/aip/…` or an app's `/connector/…`), on either host. */
export function isChatGptUrl(url: string): boolean {
    return url.startsWith("https://chatgpt.com/") || url.startsWith("https://chat.openai.com/");
}

/** The text to print: each form's fields with their values, and what to do after saving each. */
export function formatSettings(o: StackOutputs): string {
    const gpt = formatGptAction(o);
    const app = formatMcpApp(o);
    return app === undefined ? gpt : `${gpt}\n${app}`;
}

/** The GPT Action form: each field's label and value, the schema, and what to do after saving. */
function formatGptAction(o: StackOutputs): string {
    const fields: Field[] = [
        ["Authentication type", "OAuth"],
        ["Client ID", o.clientId],
        ["Client Secret", o.clientSecret],
        ["Authorization URL", o.authorizationUrl],
        ["Token URL", o.tokenUrl],
        ["Scope", o.scope],
        ["Token Exchange Method", o.tokenExchangeMethod ?? "Basic authorization header"],
    ];
    const width = labelWidth(fields);
    return [
        "ChatGPT → your GPT → Configure → Actions → Create new action",
        "",
        "1. Authentication (gear icon) → OAuth:",
        ...fields.map((field) => fieldLine(field, width)),
        "",
        "2. Schema (paste all of it):",
        o.openApiSchema,
        "",
        "3. Save the action. ChatGPT then shows a Callback URL.",
        ...callbackStep(o.callbackUrls, "callbackUrl"),
        "",
    ].join("\n");
}

/** ChatGPT's Client ID Metadata Document, which the stack's default `mcpClientMetadataUrls` allows. */
export const [CHATGPT_CLIENT_METADATA_URL] = DEFAULT_CLIENT_METADATA_URLS;

/**
 * Whether the outputs show that the stack accepts no Client ID Metadata Document: `nextStep` asks for
 * `mcpCallbackUrl` only when `mcpClientMetadataUrls` is `[]` (infra/outputs.ts). Other outputs do not say, so false
 * means "not known to be off", and the form words the default path as holding while the setting lists ChatGPT's URL.
 */
export function cimdKnownOff(o: StackOutputs): boolean {
    return o.nextStep?.includes("pulumi config set mcpCallbackUrl") === true;
}

/**
 * The ChatGPT app's "Create app" form (the README's "Connect ChatGPT" steps, "As an app, through MCP"), or undefined
 * when the stack has no MCP surface: the default path (MCP Server URL, Authentication OAuth, nothing else, ChatGPT
 * signing in with its Client ID Metadata Document), then the user-defined client for clients without CIMD.
 */
function formatMcpApp(o: StackOutputs): string | undefined {
    if (o.mcpServerUrl === undefined) {
        return undefined;
    }
    const info = openApiInfo(o.openApiSchema);
    const app: Field[] = [
        ["Name", info.title ?? "(a name for your app)"],
        ["Description", info.description ?? "(what the model reads to pick your app)"],
        ["MCP Server URL", o.mcpServerUrl],
    ];
    const authentication: Field[] = [["Authentication", "OAuth"]];
    const userDefined: Field[] = [
        ["Registration method", "user-defined OAuth client"],
        ["OAuth Client ID", o.mcpClientId ?? "(mcpClientId is missing from the outputs)"],
        ["OAuth Client Secret", o.mcpClientSecret ?? "(leave it empty: the MCP client is public, it has no secret)"],
    ];
    const width = labelWidth([...app, ...authentication, ...userDefined]);
    const off = cimdKnownOff(o);
    return [
        "ChatGPT → Settings → Apps → Create app (a ChatGPT app, through MCP)",
        "",
        "1. Settings → Apps → Advanced settings: turn on Developer mode (a workspace admin may have to allow it).",
        "   Then Settings → Apps → Create app.",
        "",
        "2. Create app (Name and Description are suggestions, from the OpenAPI document's info):",
        ...app.map((field) => fieldLine(field, width)),
        "",
        "3. Authentication:",
        ...authentication.map((field) => fieldLine(field, width)),
        ...(off
            ? [
                "   This stack accepts no Client ID Metadata Document (mcpClientMetadataUrls is [], as nextStep says):",
                "   use the user-defined OAuth client below.",
            ]
            : [
                "   Nothing else: no client ID, secret or callback URL. ChatGPT signs in with its Client ID Metadata Document,",
                `   ${CHATGPT_CLIENT_METADATA_URL}, which the stack accepts while mcpClientMetadataUrls lists it (the default).`,
            ]),
        "",
        "4. Create the app, and sign in when ChatGPT asks.",
        "",
        "For clients without CIMD (or a stack whose mcpClientMetadataUrls does not list ChatGPT's): in step 3,",
        "Authentication → Advanced settings:",
        ...userDefined.map((field) => fieldLine(field, width)),
        "   ChatGPT then shows a Callback URL. Register it before you create the app.",
        ...callbackStep(o.mcpCallbackUrls ?? [], "mcpCallbackUrl"),
        "",
    ].join("\n");
}

function labelWidth(fields: readonly Field[]): number {
    return Math.max(...fields.map(([label]) => label.length));
}

function fieldLine([label, value]: Field, width: number): string {
    return `   ${label.padEnd(width)}  ${value}`;
}

/**
 * The ChatGPT callback URLs registered now (or that none is), and the command that registers the one ChatGPT shows,
 * with the same edit in `Pulumi.<stack>.yaml` under it.
 */
function callbackStep(callbackUrls: readonly string[], configKey: "callbackUrl" | "mcpCallbackUrl"): string[] {
    const registered = callbackUrls.filter(isChatGptUrl);
    return [
        registered.length > 0
            ? `   Registered now: ${registered.join(", ")}. If ChatGPT shows another one, run:`
            : "   No ChatGPT callback URL is registered yet. Copy the one ChatGPT shows and run:",
        `   ${withYamlForm(`pulumi config set ${configKey} <the callback URL> && pulumi up`, 3)}`,
    ];
}

/** `info.title` and `info.description` of the OpenAPI document, where it has them (a hand-edited file may not). */
function openApiInfo(schema: string): { title?: string; description?: string } {
    let document: unknown;
    try {
        document = JSON.parse(schema);
    } catch {
        return {};
    }
    const info = typeof document === "object" && document !== null ? (document as { info?: unknown }).info : undefined;
    if (typeof info !== "object" || info === null) {
        return {};
    }
    const { title, description } = info as { title?: unknown; description?: unknown };
    return {
        title: typeof title === "string" && title.trim() !== "" ? title : undefined,
        description: typeof description === "string" && description.trim() !== "" ? description : undefined,
    };
}

if (require.main === module) {
    try {
        process.stdout.write(formatSettings(readOutputs(process.argv[2], "gpt-settings")));
    } catch (error) {
        console.error(error instanceof Error ? error.message : error);
        process.exitCode = 1;
    }
}
