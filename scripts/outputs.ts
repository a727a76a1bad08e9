/** Reads a deployed stack's outputs: from a JSON file, or from `pulumi stack output --json --show-secrets`. */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";

export interface StackOutputs {
    readonly apiUrl: string;
    readonly authorizationUrl: string;
    readonly tokenUrl: string;
    readonly clientId: string;
    readonly clientSecret: string;
    readonly scope: string;
    readonly tokenExchangeMethod?: string;
    readonly openApiSchema: string;
    readonly callbackUrls: string[];
    readonly nextStep?: string;
    /** Only with a custom domain: the disabled execute-api URL, which npm run smoke checks is refused. */
    readonly executeApiUrl?: string;
    /** The MCP surface's outputs, absent when `mcp` is false. */
    readonly mcpServerUrl?: string;
    readonly mcpClientId?: string;
    /** Absent for a public MCP client. */
    readonly mcpClientSecret?: string;
    readonly mcpCallbackUrls?: string[];
}

const REQUIRED = ["apiUrl", "authorizationUrl", "tokenUrl", "clientId", "clientSecret", "scope", "openApiSchema", "callbackUrls"] as const;

/** Checks that `value` has every output these scripts need, with readable values. */
export function parseOutputs(value: unknown): StackOutputs {
    if (typeof value !== "object" || value === null) {
        throw new Error("The stack outputs are not a JSON object.");
    }
    const outputs = value as Record<string, unknown>;
    const missing = REQUIRED.filter((key) => outputs[key] === undefined);
    if (missing.length > 0) {
        throw new Error(`The stack outputs lack ${missing.join(", ")}; has the stack been deployed with this program (pulumi up)?`);
    }
    for (const key of ["clientSecret", "mcpClientSecret"]) {
        if (outputs[key] === "[secret]") {
            throw new Error(`${key} is hidden; read the outputs with: pulumi stack output --json --show-secrets`);
        }
    }
    if (!Array.isArray(outputs.callbackUrls) || REQUIRED.some((key) => key !== "callbackUrls" && typeof outputs[key] !== "string")) {
        throw new Error("The stack outputs have unexpected types; pass the JSON of pulumi stack output --json --show-secrets.");
    }
    if (outputs.executeApiUrl !== undefined && typeof outputs.executeApiUrl !== "string") {
        throw new Error("The stack outputs' executeApiUrl is not a string; pass the JSON of pulumi stack output --json --show-secrets.");
    }
    // The MCP outputs come together (a stack with `mcp: false` has none); mcpClientSecret only for a confidential client.
    if (outputs.mcpServerUrl !== undefined && (
        typeof outputs.mcpServerUrl !== "string" || typeof outputs.mcpClientId !== "string" || !Array.isArray(outputs.mcpCallbackUrls)
        || (outputs.mcpClientSecret !== undefined && typeof outputs.mcpClientSecret !== "string"))) {
        throw new Error("The stack outputs' MCP values (mcpServerUrl, mcpClientId, mcpClientSecret, mcpCallbackUrls) have unexpected types; pass the JSON of pulumi stack output --json --show-secrets.");
    }
    return outputs as unknown as StackOutputs;
}

/**
 * Outputs from `file`, or from the current Pulumi stack when no file is given. `script` is the npm script
 * reading them (e.g. "smoke"), for the message that says how to pass a file instead.
 */
export function readOutputs(file: string | undefined, script: string): StackOutputs {
    const text = file !== undefined ? fs.readFileSync(file, "utf8") : pulumiStackOutputs(script);
    return parseOutputs(JSON.parse(text));
}

/** `pulumi stack output --json --show-secrets`; without the CLI, says so instead of spawnSync's bare ENOENT. */
function pulumiStackOutputs(script: string): string {
    try {
        return execFileSync("pulumi", ["stack", "output", "--json", "--show-secrets"], { encoding: "utf8" });
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") {
            throw new Error([
                "Reading the stack's outputs needs the Pulumi CLI, and `pulumi` is not on the PATH.",
                "Install it (https://www.pulumi.com/docs/install/), or pass a saved copy of the outputs:",
                "  pulumi stack output --json --show-secrets > outputs.json   (where the CLI is)",
                `  npm run ${script} -- outputs.json`,
            ].join("\n"));
        }
        throw error;
    }
}
