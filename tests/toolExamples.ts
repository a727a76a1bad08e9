/**
 * Tool arguments for each route of the table, for the tests that call every tool. They come from the table: the
 * route's own example (`examples` in its request schema's meta, which ChatGPT and MCP clients see too), else
 * arguments generated from the schema. So a route added to the table is called without an entry here.
 */
import { expect } from "chai";
import * as z from "zod/mini";
import type { Caller } from "../handler/auth";
import { dispatcher } from "../handler/dispatch";
import { HttpError } from "../handler/http";
import { operations } from "../handler/operations";
import { routeList, type RouteEntry } from "../handler/routes";
import { generatedArguments } from "./schemaArguments";

/** The route's first documented example (`.check(z.meta({ examples: [...] }))` on its request schema), if any. */
export function documentedArguments(route: RouteEntry): Record<string, unknown> | undefined {
    if (route.request === undefined) {
        return undefined;
    }
    const { examples } = z.toJSONSchema(route.request, { io: "input", unrepresentable: "any" });
    return Array.isArray(examples) ? examples[0] as Record<string, unknown> : undefined;
}

/** Valid arguments for the route's tool: {} without a request schema, its example, or generated ones. */
export function exampleArguments(route: RouteEntry): Record<string, unknown> {
    if (route.request === undefined) {
        return {};
    }
    const documented = documentedArguments(route);
    if (documented !== undefined) {
        expect(z.safeParse(route.request, documented).success, `the example of ${route.operationId} matches its request schema`).to.be.true;
        return documented;
    }
    const generated = generatedArguments(route.request);
    if (generated === undefined) {
        throw new Error(`Cannot generate arguments for the tool ${route.operationId} from its request schema: give the schema an example in ` +
            "handler/routes.ts, as getSalesReport does: .check(z.meta({ examples: [{ … }] }))");
    }
    return generated;
}

/** What the operation answers for `args` when called directly: its value, or the HttpError it throws (an expected failure). */
export type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: HttpError };

/** `functions` and `table`: the shipped ones unless a test extends a copy. */
export async function operationOutcome(route: RouteEntry, args: Record<string, unknown>, who: Pick<Caller, "sub" | "username" | "scopes"> & Partial<Caller>,
    functions: object = operations, table: readonly RouteEntry[] = routeList()): Promise<Outcome> {
    const caller: Caller = { groups: [], clientId: "tests", signIn: undefined, ...who };
    try {
        const body = route.request === undefined ? undefined : z.parse(route.request, args);
        return { ok: true, value: await dispatcher(table, functions).run(route.operationId, { body, caller, requestId: "tests" }) };
    } catch (error) {
        if (HttpError.is(error)) {
            return { ok: false, error };
        }
        throw error;
    }
}

/**
 * Checks an MCP tool result against the operation's own outcome: a value must come back as a result; an expected
 * failure (generated arguments may name an order that does not exist) as a tool error carrying its message.
 * True when the result is a value, for the caller's further checks.
 */
export function expectToolResult(route: RouteEntry, result: Readonly<Record<string, unknown>>, outcome: Outcome): outcome is { ok: true; value: unknown } {
    const label = `${route.operationId}: ${JSON.stringify(result.content).slice(0, 300)}`;
    if (outcome.ok) {
        expect(result.isError ?? false, label).to.be.false;
        return true;
    }
    expect(result.isError, label).to.equal(true);
    expect(result.content, label).to.deep.equal([{ type: "text", text: outcome.error.message }]);
    return false;
}
