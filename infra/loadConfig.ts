/** Feeds infra/config.ts from the Pulumi runtime: the project's keys of the stack being deployed. */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, parseSettings, type ConfigGroups } from "./config";

export function loadConfig(): ConfigGroups {
    const prefix = `${pulumi.getProject()}:`;
    const raw: Record<string, string> = {};
    for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (key.startsWith(prefix)) {
            raw[key.slice(prefix.length)] = value;
        }
    }
    try {
        return parseSettings(raw, pulumi.getProject(), pulumi.getStack());
    } catch (error) {
        // A RunError makes the CLI print the message alone, without a stack trace.
        throw error instanceof ConfigError ? new pulumi.RunError(error.message) : error;
    }
}
