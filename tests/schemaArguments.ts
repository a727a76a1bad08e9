/**
 * Arguments generated from a route's request schema, for a route whose table entry carries no example: so that a
 * new route is called by every "calls every tool" test without an entry anywhere but the table.
 */
import fc from "fast-check";
import * as z from "zod/mini";

type JsonSchema = Readonly<Record<string, unknown>>;

const asSchema = (value: unknown): JsonSchema => (typeof value === "object" && value !== null ? value as JsonSchema : {});
const asNumber = (value: unknown): number | undefined => (typeof value === "number" ? value : undefined);

/** An arbitrary of the values `schema` (JSON Schema, as z.toJSONSchema writes it) describes, or undefined if unknown. */
function arbitraryOf(schema: JsonSchema): fc.Arbitrary<unknown> | undefined {
    if ("const" in schema) {
        return fc.constant(schema.const);
    }
    if (Array.isArray(schema.enum)) {
        return fc.constantFrom(...(schema.enum as unknown[]));
    }
    const union = schema.anyOf ?? schema.oneOf;
    if (Array.isArray(union)) {
        const options = union.map((s) => arbitraryOf(asSchema(s)));
        return options.every((a) => a !== undefined) ? fc.oneof(...options) : undefined;
    }
    const min = asNumber(schema.minimum);
    const max = asNumber(schema.maximum);
    switch (schema.type) {
        case "object": {
            const properties = Object.entries(asSchema(schema.properties)).map(([key, value]) => [key, arbitraryOf(asSchema(value))] as const);
            if (properties.some(([, a]) => a === undefined)) {
                return undefined;
            }
            // Every property, optional ones included, so that the operation sees the whole shape.
            return fc.record(Object.fromEntries(properties) as Record<string, fc.Arbitrary<unknown>>);
        }
        case "array": {
            const items = arbitraryOf(asSchema(schema.items));
            return items && fc.array(items, { minLength: asNumber(schema.minItems) ?? 1, maxLength: Math.min(asNumber(schema.maxItems) ?? 3, 3) });
        }
        case "string":
            return typeof schema.pattern === "string"
                ? fc.stringMatching(new RegExp(schema.pattern))
                : fc.string({ minLength: asNumber(schema.minLength) ?? 1, maxLength: asNumber(schema.maxLength) ?? 20 });
        case "integer":
            return fc.integer({ min: Math.max(min ?? -1000, Number.MIN_SAFE_INTEGER), max: Math.min(max ?? 1000, Number.MAX_SAFE_INTEGER) });
        case "number":
            return fc.double({ min: min ?? -1000, max: max ?? 1000, noNaN: true, noDefaultInfinity: true });
        case "boolean":
            return fc.boolean();
        case "null":
            return fc.constant(null);
        default:
            return undefined;
    }
}

/**
 * Arguments that `schema` accepts, the same on every run (a fixed seed), or undefined when the schema uses what
 * this generator cannot produce (formats, refinements): then the route needs an example in the table.
 */
export function generatedArguments(schema: z.ZodMiniType): Record<string, unknown> | undefined {
    const arbitrary = arbitraryOf(asSchema(z.toJSONSchema(schema, { io: "input", unrepresentable: "any" })));
    if (arbitrary === undefined) {
        return undefined;
    }
    const accepted = fc.sample(arbitrary, { seed: 21, numRuns: 100 }).find((value) => z.safeParse(schema, value).success);
    return accepted as Record<string, unknown> | undefined;
}
