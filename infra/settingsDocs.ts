/**
 * What is generated from the settings table: Pulumi.yaml's `config:` block and docs/configuration.md's table. Pure; written
 * by scripts/settingsDocs.ts (npm run settings-docs) and checked by tests/settings.test.ts.
 */
import { stringify } from "yaml";
import type { Table } from "./settingTable";

const TABLE_START = "<!-- settings table: generated from infra/settings.ts by npm run settings-docs -->";
const TABLE_END = "<!-- end of settings table -->";
/** Pulumi.yaml's `config:` block runs from this line to the end of the file. */
const CONFIG_BLOCK = /^config:$/m;

/** The page the settings table is generated into; its links are relative to docs/. */
export const SETTINGS_PAGE = "docs/configuration.md";

/** Markdown as plain text: a link keeps its words and names its page (docs/deploy.md), code loses its backticks. */
const plain = (markdown: string) => markdown
    .replace(/\[([^\]]+)\]\(([^)#]+)(#[^)]*)?\)/g, "$1 in docs/$2")
    .replace(/`/g, "");

/** Pulumi.yaml's `config:` block: every setting except objects, which Pulumi.yaml cannot declare. */
export function pulumiConfigBlock(table: Table): string {
    const config: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(table)) {
        const type = entry.type.pulumiType;
        if (type !== undefined) {
            const value = type === "integer" || type === "boolean" || type === "array" ? JSON.parse(entry.default) as unknown : entry.default;
            config[key] = { type, ...(type === "array" ? { items: { type: "string" } } : {}), description: plain(entry.description), default: value };
        }
    }
    return stringify({ config }, { lineWidth: 118 });
}

/** Pulumi.yaml `text` with its `config:` block generated from `table`. */
export function withPulumiConfig(text: string, table: Table): string {
    const at = text.search(CONFIG_BLOCK);
    if (at < 0) {
        throw new Error("Pulumi.yaml has no top-level config: block");
    }
    return text.slice(0, at) + pulumiConfigBlock(table);
}

/** The configuration table of docs/configuration.md. */
export function settingsTable(table: Table): string {
    const rows = Object.entries(table).map(([key, entry]) =>
        `| \`${key}\` | ${entry.default === "" ? "*(none)*" : `\`${entry.default}\``} | ${entry.description.replace(/\|/g, "\\|")} |`);
    return ["| key | default | meaning |", "|---|---|---|", ...rows].join("\n");
}

/** docs/configuration.md's `text` with the table between its markers generated from `table`. */
export function withSettingsTable(text: string, table: Table): string {
    const start = text.indexOf(TABLE_START);
    const end = text.indexOf(TABLE_END);
    if (start < 0 || end < start) {
        throw new Error(`${SETTINGS_PAGE} lacks the markers ${TABLE_START} … ${TABLE_END}`);
    }
    return `${text.slice(0, start + TABLE_START.length)}\n${settingsTable(table)}\n${text.slice(end)}`;
}
