/**
 * What is generated from the settings table: Pulumi.yaml's `config:` block and the README's table. Pure; written
 * by scripts/settingsDocs.ts (npm run settings-docs) and checked by tests/settings.test.ts.
 */
import { stringify } from "yaml";
import type { Table } from "./settingTable";

const README_START = "<!-- settings table: generated from infra/settings.ts by npm run settings-docs -->";
const README_END = "<!-- end of settings table -->";
/** Pulumi.yaml's `config:` block runs from this line to the end of the file. */
const CONFIG_BLOCK = /^config:$/m;

/** Markdown as plain text: links keep their words, code loses its backticks. */
const plain = (markdown: string) => markdown.replace(/\[([^\]]+)\]\([^)]+\)/g, "$1 in the README").replace(/`/g, "");

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

/** The README's configuration table. */
export function readmeTable(table: Table): string {
    const rows = Object.entries(table).map(([key, entry]) =>
        `| \`${key}\` | ${entry.default === "" ? "*(none)*" : `\`${entry.default}\``} | ${entry.description.replace(/\|/g, "\\|")} |`);
    return ["| key | default | meaning |", "|---|---|---|", ...rows].join("\n");
}

/** README `text` with the table between its markers generated from `table`. */
export function withReadmeTable(text: string, table: Table): string {
    const start = text.indexOf(README_START);
    const end = text.indexOf(README_END);
    if (start < 0 || end < start) {
        throw new Error(`README.md lacks the markers ${README_START} … ${README_END}`);
    }
    return `${text.slice(0, start + README_START.length)}\n${readmeTable(table)}\n${text.slice(end)}`;
}
