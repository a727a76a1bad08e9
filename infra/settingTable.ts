/**
 * What a settings table is and how one is read: each value through its entry's schema, every problem worded the
 * same way (key, value, what is allowed, the fixing command), unknown keys named with the nearest known one.
 * Generic over the table, so a test can read a copy with one more entry. Pure: no Pulumi.
 */
import type * as z from "zod";
import { withYamlForm } from "./configFix";
import { parseJson } from "./json";
import type { SettingType } from "./settingTypes";

/** The parts of the stack that take settings: the components, and the MCP, network and domain options. */
export type Group = "auth" | "api" | "mcp" | "network" | "domains";

export interface Setting<T, G extends readonly Group[] = readonly Group[]> {
    readonly type: SettingType<T>;
    /** As Pulumi passes it (JSON for lists); "" means "not set". Pulumi.yaml declares the same. */
    readonly default: string;
    /** The groups that take the value as it is, under the setting's key; [] when infra/config.ts combines it. */
    readonly in: G;
    /** One line, for Pulumi.yaml and docs/configuration.md (Markdown is fine). */
    readonly description: string;
    /** The command that fixes a bad value, given where it is (`key` or `key[i]`). Default: set the default. */
    readonly fix?: string | ((at: string) => string);
    /** Never shown in a message. */
    readonly secret?: boolean;
}

/** An entry, with its groups kept as literals so that a group's type lists exactly its settings. */
export const setting = <T, const G extends readonly Group[]>(entry: Setting<T, G>): Setting<T, G> => entry;

export type Table = Readonly<Record<string, Setting<unknown>>>;

/** Each setting's parsed value. */
export type Values<T extends Table> = { readonly [K in keyof T]: T[K] extends Setting<infer V> ? V : never };

/** The settings a group takes as they are. */
export type ValuesIn<T extends Table, G extends Group> = Pick<Values<T>, { [K in keyof T]: G extends T[K]["in"][number] ? K : never }[keyof T]>;

/** One problem, worded the way every problem is; the fix in both forms, the command and the stack file's YAML. */
export const problem = (at: string, shown: string, why: string, fix: string): string =>
    `${at} = ${JSON.stringify(shown)} ${why}. Fix: ${withYamlForm(fix)}`;

/** The table's values from `raw` (defaults filled in), and every problem: a key's value stays out when it has one. */
export function readSettings<T extends Table>(table: T, raw: Readonly<Record<string, string>>): { values: Partial<Values<T>>; problems: string[] } {
    const problems = Object.keys(raw).filter((key) => !(key in table)).map((key) => unknownKey(key, table));
    const values: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(table)) {
        const text = raw[key] ?? entry.default;
        const result = entry.type.schema.safeParse(text);
        if (result.success) {
            values[key] = result.data;
            continue;
        }
        const seen = new Set<string>();
        for (const issue of result.error.issues) {
            const at = key + issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
            const line = problem(at, entry.secret === true ? "…" : shownAt(text, issue.path), issue.message, fixFor(key, entry, at, issue));
            if (!seen.has(line)) {
                seen.add(line);
                problems.push(line);
            }
        }
    }
    return { values: values as Partial<Values<T>>, problems };
}

/** The values of the settings `group` takes as they are. */
export function valuesIn<T extends Table, G extends Group>(table: T, values: Values<T>, group: G): ValuesIn<T, G> {
    return Object.fromEntries(Object.keys(table).filter((key) => table[key].in.includes(group)).map((key) => [key, values[key]])) as ValuesIn<T, G>;
}

function fixFor(key: string, entry: Setting<unknown>, at: string, issue: z.core.$ZodIssue): string {
    const own: unknown = issue.code === "custom" ? issue.params?.fix : undefined;
    if (typeof own === "string") {
        return own;
    }
    return typeof entry.fix === "function" ? entry.fix(at) : entry.fix ?? `pulumi config set ${key} ${entry.default}`;
}

/** The text at `path` of a JSON value (the value itself for a plain one), as the message shows it. */
function shownAt(text: string, path: readonly PropertyKey[]): string {
    let value: unknown = path.length === 0 ? text : parseJson(text);
    for (const p of path) {
        value = typeof value === "object" && value !== null ? (value as Record<PropertyKey, unknown>)[p] : undefined;
    }
    return typeof value === "string" ? value : JSON.stringify(value);
}

/** An unknown key, likely a typo: names the nearest known key, or lists them all when none is near. */
function unknownKey(key: string, table: Table): string {
    // Its value is not shown: nothing tells whether it was set with --secret.
    const known = Object.keys(table);
    const near = known
        .map((k) => ({ k, d: editDistance(key.toLowerCase(), k.toLowerCase()) }))
        .filter(({ k, d }) => d <= Math.max(2, Math.floor(k.length / 4)))
        .sort((a, b) => a.d - b.d)[0]?.k;
    return near === undefined
        ? `${key} is not a gpt-action setting (known: ${known.join(", ")}). Fix: ${withYamlForm(`pulumi config rm ${key}`)}`
        : `${key} is not a gpt-action setting; did you mean ${near}? Fix: ${withYamlForm(`pulumi config rm ${key}, then pulumi config set ${
            table[near].type.pulumiType === "array" ? `--path '${near}[0]'` : near} <value>`)}`;
}

/** Levenshtein distance, with a swap of two neighbours counting as one edit (the commonest typo). */
function editDistance(a: string, b: string): number {
    const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
    for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) {
            d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
                d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
    }
    return d[a.length][b.length];
}
