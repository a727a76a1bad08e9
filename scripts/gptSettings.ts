/**
 * `npm run gpt-settings [outputs.json]`: the ChatGPT Action form, filled from a deployed stack's outputs, in the
 * order the action editor shows them (Authentication at the top, then Schema; the README says the same), and
 * the next step.
 */
import { readOutputs, type StackOutputs } from "./outputs";

/** The text to print: each field's label and value, the schema, and what to do after saving. */
export function formatSettings(o: StackOutputs): string {
    const fields: Array<[string, string]> = [
        ["Authentication type", "OAuth"],
        ["Client ID", o.clientId],
        ["Client Secret", o.clientSecret],
        ["Authorization URL", o.authorizationUrl],
        ["Token URL", o.tokenUrl],
        ["Scope", o.scope],
        ["Token Exchange Method", o.tokenExchangeMethod ?? "Basic authorization header"],
    ];
    const width = Math.max(...fields.map(([label]) => label.length));
    const registered = o.callbackUrls.filter((url) => url.startsWith("https://chatgpt.com/") || url.startsWith("https://chat.openai.com/"));
    return [
        "ChatGPT → your GPT → Configure → Actions → Create new action",
        "",
        "1. Authentication (gear icon) → OAuth:",
        ...fields.map(([label, value]) => `   ${label.padEnd(width)}  ${value}`),
        "",
        "2. Schema (paste all of it):",
        o.openApiSchema,
        "",
        "3. Save the action. ChatGPT then shows a Callback URL.",
        registered.length > 0
            ? `   Registered now: ${registered.join(", ")}. If ChatGPT shows another one, run:`
            : "   No ChatGPT callback URL is registered yet. Copy the one ChatGPT shows and run:",
        "   pulumi config set callbackUrl <the callback URL> && pulumi up",
        "",
    ].join("\n");
}

if (require.main === module) {
    try {
        process.stdout.write(formatSettings(readOutputs(process.argv[2], "gpt-settings")));
    } catch (error) {
        console.error(error instanceof Error ? error.message : error);
        process.exitCode = 1;
    }
}
