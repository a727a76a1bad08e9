/**
 * The value types of settings: the zod schema that reads a value as Pulumi passes it (text; JSON for lists and
 * objects) and how Pulumi.yaml declares it. A schema's messages complete "<key> = <value> …", so they say what
 * is allowed. Pure: no Pulumi.
 */
import * as z from "zod";
import { parseJson } from "./json";

export interface SettingType<T> {
    /** Pulumi.yaml's `type:`; undefined for objects, which Pulumi.yaml cannot declare. */
    readonly pulumiType?: "string" | "integer" | "boolean" | "array";
    readonly schema: z.ZodType<T, string>;
}

/**
 * A rule a value breaks: why (completing "<key> = <value> …"), with the fix when it is not the setting's own;
 * undefined when the rule holds.
 */
export type Rule<T> = (value: T) => string | { readonly why: string; readonly fix: string } | undefined;

/** `schema` with `rule` checked on its value; a rule's own fix travels in the issue's params. */
export const checked = <T>(schema: z.ZodType<T, string>, rule: Rule<T>): z.ZodType<T, string> =>
    schema.superRefine((value, ctx) => {
        const problem = rule(value);
        if (typeof problem === "string") {
            ctx.addIssue({ code: "custom", message: problem });
        } else if (problem !== undefined) {
            ctx.addIssue({ code: "custom", message: problem.why, params: { fix: problem.fix } });
        }
    });

/** Text that keeps `rule`. */
export const text = (rule: Rule<string>): SettingType<string> => ({ pulumiType: "string", schema: checked(z.string(), rule) });

/** A whole number in [min, max]; `unit` completes "a whole number …". */
export function whole(min: number, max: number, unit: string): SettingType<number> {
    const why = `must be a whole number ${unit} from ${min} to ${max}`;
    return { pulumiType: "integer", schema: z.string().trim().regex(/^\d+$/, why).transform(Number).pipe(z.number().min(min, why).max(max, why)) };
}

/** A number above 0 and at most `max`, fractions allowed (declared as text: Pulumi.yaml has no decimal type). */
export function positive(max: number, unit: string): SettingType<number> {
    const why = `must be a number ${unit} above 0 and at most ${max}`;
    return { pulumiType: "string", schema: z.string().trim().regex(/^\d+(\.\d+)?$/, why).transform(Number).pipe(z.number().gt(0, why).max(max, why)) };
}

/** One of `values`, whole numbers. */
export function wholeOneOf(values: readonly number[], why: string): SettingType<number> {
    return { pulumiType: "integer", schema: z.string().regex(/^\d+$/, why).transform(Number).refine((n) => values.includes(n), why) };
}

export const flag: SettingType<boolean> = {
    pulumiType: "boolean",
    schema: z.string().trim().toLowerCase().pipe(z.enum(["true", "false"], "must be true or false")).transform((t) => t === "true"),
};

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T): SettingType<T[number]> =>
    ({ pulumiType: "string", schema: z.string().trim().pipe(z.enum(values, `must be one of ${values.join(", ")}`)) });

/** `type`, or undefined for the empty string ("not set"); Pulumi.yaml declares it as text, which can be empty. */
export const optional = <T>(type: SettingType<T>): SettingType<T | undefined> => ({
    pulumiType: type.pulumiType === "boolean" || type.pulumiType === "integer" ? "string" : type.pulumiType,
    // Not a z.union: its failure would be "Invalid input" instead of the type's own messages.
    schema: z.string().transform((text, ctx) => {
        if (text === "") {
            return undefined;
        }
        const result = type.schema.safeParse(text);
        if (!result.success) {
            result.error.issues.forEach((issue) => ctx.addIssue({ ...issue, code: "custom" }));
            return z.NEVER;
        }
        return result.data;
    }),
});

/** A JSON list of strings, each checked by `rule`; its problems are reported at `<key>[i]`. */
export function list(rule: Rule<string>): SettingType<string[]> {
    const item = checked(z.string(), rule);
    return { pulumiType: "array", schema: z.string().transform(parseJson).pipe(z.array(item, "is not a list of strings")) };
}

/**
 * A JSON object (or list of objects) read by `parse`, which returns the value or its problems. Such parsers
 * predate this table and give precise messages (field names, positions), so they are kept rather than rewritten.
 */
export function json<T>(parse: (text: string) => { value: T } | { problems: string[] }): SettingType<T> {
    return {
        schema: z.string().transform((text, ctx) => {
            const result = parse(text);
            if ("problems" in result) {
                result.problems.forEach((message) => ctx.addIssue({ code: "custom", message }));
                return z.NEVER;
            }
            return result.value;
        }),
    };
}
