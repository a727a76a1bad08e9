/**
 * The stack config local mode runs with: one Pulumi.<stack>.yaml read as the CLI would hand it to the program,
 * except that secret values are left out. The file holds them encrypted (`key: {secure: v1:…}`) and local mode
 * has no passphrase; none of the values it uses needs a secret, so it runs without them and says which it left.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

/** Stands in for a secret inside an object-valued key, so that the rest of that value still validates. */
export const IGNORED_SECRET = "secret-ignored-by-local-mode";

export interface LocalStackConfig {
    /** The project's keys without the `project:` prefix, values as Pulumi hands them (JSON for non-strings). */
    readonly values: Record<string, string>;
    /** Config paths whose secret values were left out, as `pulumi config` names them (`identityProviders[0].clientSecret`). */
    readonly ignoredSecrets: string[];
}

/** The stack file of `stack` in the project folder. */
export function stackFilePath(stack: string): string {
    return path.join(__dirname, "..", `Pulumi.${stack}.yaml`);
}

const isSecure = (value: unknown): boolean =>
    typeof value === "object" && value !== null && !Array.isArray(value)
    && Object.keys(value).length === 1 && typeof (value as { secure?: unknown }).secure === "string";

/** `value` with every nested secure value replaced by IGNORED_SECRET; each one's path is pushed to `ignored`. */
function withoutSecrets(value: unknown, at: string, ignored: string[]): unknown {
    if (isSecure(value)) {
        ignored.push(at);
        return IGNORED_SECRET;
    }
    if (Array.isArray(value)) {
        return value.map((item, i) => withoutSecrets(item, `${at}[${i}]`, ignored));
    }
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutSecrets(v, `${at}.${k}`, ignored)]));
    }
    return value;
}

/** Reads `file` for project `project`; a missing file is an error, never a silent fall-back to defaults. */
export function readStackConfig(file: string, project: string): LocalStackConfig {
    if (!fs.existsSync(file)) {
        throw new Error(`Stack config ${file} does not exist. Local mode reads Pulumi.<stack>.yaml: pick the stack with `
            + `GPT_ACTION_STACK=<stack> (pulumi stack ls lists them), or create it with pulumi stack init <stack>.`);
    }
    const parsed = parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
    const values: Record<string, string> = {};
    const ignoredSecrets: string[] = [];
    for (const [qualified, raw] of Object.entries(parsed?.config ?? {})) {
        const colon = qualified.indexOf(":");
        if (colon >= 0 && qualified.slice(0, colon) !== project) {
            continue; // another package's setting (aws:region…): not local mode's concern
        }
        const key = qualified.slice(colon + 1);
        if (isSecure(raw)) {
            ignoredSecrets.push(key);
            continue;
        }
        const value = withoutSecrets(raw, key, ignoredSecrets);
        values[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return { values, ignoredSecrets };
}
