/**
 * A fix message in both forms: the `pulumi config set …` / `pulumi config rm …` it names, and the same edit made by
 * hand in `Pulumi.<stack>.yaml`, for a user without the Pulumi CLI (local mode needs none). Pure: no Pulumi.
 */

const PROJECT = "gpt-action";
const STACK_FILE = "Pulumi.<stack>.yaml";

/** `pulumi config set [--secret] [--path] <key> <value>` and `pulumi config rm <key>`, with shell quotes. */
const COMMAND = /pulumi config (set|rm)((?: --(?:secret|path))*) ('[^']*'|[^\s,;)]+)(?: ('[^']*'|<[^>]*>|…|[^\s,;)]+))?/g;

const unquote = (word: string): string => (word.startsWith("'") && word.endsWith("'") ? word.slice(1, -1) : word);

/** The config file's key: the project's own keys carry its name, others (aws:region) their provider's. */
const fileKey = (key: string): string => (key.includes(":") ? key : `${PROJECT}:${key}`);

/** A YAML scalar: plain when it reads back as the same string, else double-quoted (JSON is valid YAML), as Pulumi writes numbers and booleans. */
function scalar(value: string): string {
    const plain = /^[A-Za-z<…/_][^#'"]*$/.test(value) && !/: |:$/.test(value) && !/^(true|false|yes|no|on|off|null)$/i.test(value);
    return plain ? value : JSON.stringify(value);
}

/** `a.b[0].c` as segments: names and list indexes. */
function segments(path: string): Array<string | number> {
    return [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] === undefined ? m[1] : Number(m[2])));
}

/** Block YAML for `value` at the path `rest` under `key`, indented by `indent` spaces. */
function nested(key: string, rest: ReadonlyArray<string | number>, value: string, indent: number): string[] {
    const pad = " ".repeat(indent);
    if (rest.length === 0) {
        return [`${pad}${key}: ${scalar(value)}`];
    }
    const [next, ...after] = rest;
    if (typeof next === "number") {
        // A list entry: the YAML list form, the entry at its index (earlier entries stay as they are).
        const entry = after.length === 0
            ? [`${pad}  - ${scalar(value)}`]
            : nested(String(after[0]), after.slice(1), value, indent + 4).map((line, i) => (i === 0 ? `${pad}  - ${line.trimStart()}` : line));
        return [`${pad}${key}:${next > 0 ? ` # entry ${next}, after the ${next} already there` : ""}`, ...entry];
    }
    return [`${pad}${key}:`, ...nested(next, after, value, indent + 2)];
}

/** The YAML edit for one command, as lines to show under the message. */
function yamlEdit(verb: string, flags: string, rawKey: string, rawValue: string | undefined): string[] {
    const at = unquote(rawKey);
    if (verb === "rm") {
        return [`or delete ${fileKey(at)} (and what is indented under it) from ${STACK_FILE}`];
    }
    if (flags.includes("--secret")) {
        return [`(a secret has no hand-written form: ${STACK_FILE} holds it encrypted, so only pulumi config set --secret writes it)`];
    }
    const value = unquote(rawValue ?? "<value>");
    const [key, ...rest] = flags.includes("--path") ? segments(at) : [at];
    return [`or in ${STACK_FILE}, under config:`, ...nested(fileKey(String(key)), rest, value, 2)];
}

/**
 * `fix` followed by the YAML form of each `pulumi config` command in it, one indented block per command; `indent`
 * is where the message's own lines start (a problem in a list is indented by 4).
 */
export function withYamlForm(fix: string, indent = 4): string {
    const pad = " ".repeat(indent);
    const blocks = [...fix.matchAll(COMMAND)].map(([, verb, flags, key, value]) => yamlEdit(verb, flags, key, value));
    if (blocks.length === 0) {
        return fix;
    }
    return `${fix}\n${blocks.map((lines) => lines.map((line, i) => (i === 0 ? `${pad}${line}` : `${pad}  ${line}`)).join("\n")).join("\n")}`;
}
