/** Reads back the `Pulumi.<stack>.yaml` form that fix messages show under their `pulumi config` command (infra/configFix.ts). */
import { expect } from "chai";
import { parse } from "yaml";

const HEADER = "or in Pulumi.<stack>.yaml, under config:";

const indentOf = (line: string): number => line.length - line.trimStart().length;

/** Each block the message shows under "or in Pulumi.<stack>.yaml, under config:" (the lines indented under it), parsed, in order. */
export function yamlForms(message: string): unknown[] {
    const lines = message.split("\n");
    return lines.flatMap((line, i) => {
        if (!line.endsWith(HEADER)) {
            return [];
        }
        const end = lines.findIndex((next, j) => j > i && indentOf(next) <= indentOf(line));
        const block = lines.slice(i + 1, end < 0 ? undefined : end);
        expect(block, message).to.not.be.empty;
        const cut = Math.min(...block.map(indentOf));
        return [parse(block.map((next) => next.slice(cut)).join("\n")) as unknown];
    });
}

/** The one YAML block the message shows, parsed. */
export function yamlOf(message: string): unknown {
    const forms = yamlForms(message);
    expect(forms, message).to.have.lengthOf(1);
    return forms[0];
}
