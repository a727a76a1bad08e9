/**
 * Reads a stack's config the way the Pulumi CLI hands it to the program: Pulumi.yaml's declared defaults, then
 * Pulumi.<stack>.yaml's values, project-qualified, arrays as JSON. For tests and local mode, where no CLI runs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

const ROOT = path.join(__dirname, "..");

export interface ProjectFile {
    readonly name: string;
    readonly template?: { readonly config?: Record<string, { readonly description?: string; readonly default?: unknown }> };
    readonly config: Record<string, { readonly type: string; readonly description?: string; readonly default?: unknown }>;
}

/** Pulumi.yaml, parsed. */
export function projectFile(): ProjectFile {
    return parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as ProjectFile;
}

/** A config value as Pulumi hands it to a program: strings as they are, everything else as JSON. */
function configString(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

/** Pulumi.yaml's declared defaults, keyed `project:key`. */
function projectDefaults(project: ProjectFile): Record<string, string> {
    const config: Record<string, string> = {};
    for (const [key, spec] of Object.entries(project.config)) {
        if (spec.default !== undefined) {
            config[`${project.name}:${key}`] = configString(spec.default);
        }
    }
    return config;
}

/**
 * Pulumi.yaml's defaults overlaid with the values of the stack file at `stackFile` (any path; it must exist),
 * keyed `project:key` (or `provider:key`). Tests pass their own fixture, so a user's stack config cannot reach them.
 */
export function stackFileConfig(stackFile: string): Record<string, string> {
    const project = projectFile();
    const config = projectDefaults(project);
    const parsed = parse(fs.readFileSync(stackFile, "utf8")) as { config?: Record<string, unknown> } | null;
    for (const [key, value] of Object.entries(parsed?.config ?? {})) {
        config[key.includes(":") ? key : `${project.name}:${key}`] = configString(value);
    }
    return config;
}

/** The repository's Pulumi.<stack>.yaml. */
export function stackFilePath(stack: string): string {
    return path.join(ROOT, `Pulumi.${stack}.yaml`);
}

/** Every config value of `stack`, keyed `project:key` (or `provider:key`). A missing stack file means defaults only. */
export function stackConfig(stack: string): Record<string, string> {
    const stackFile = stackFilePath(stack);
    return fs.existsSync(stackFile) ? stackFileConfig(stackFile) : projectDefaults(projectFile());
}

/** The project's own keys of `stack`, without the `project:` prefix, as infra/config.ts's parseConfig takes them. */
export function projectConfig(stack: string): Record<string, string> {
    const prefix = `${projectFile().name}:`;
    return Object.fromEntries(Object.entries(stackConfig(stack))
        .filter(([key]) => key.startsWith(prefix))
        .map(([key, value]) => [key.slice(prefix.length), value]));
}
