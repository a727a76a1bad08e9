/** Valid tool arguments for each route of the table, for the end-to-end tests that call every tool. */
import { expect } from "chai";
import * as z from "zod/mini";
import type { RouteEntry } from "../handler/routes";

/**
 * A valid argument object per route that takes a request body, keyed by operationId. A route added to the table
 * without one fails "calls every tool" with a message naming it.
 */
const EXAMPLE_ARGUMENTS: Readonly<Record<string, Record<string, unknown>>> = {
    getSalesReport: { month: "2026-10", region: "EMEA" },
};

export function exampleArguments(route: RouteEntry): Record<string, unknown> {
    if (route.request === undefined) {
        return {};
    }
    const example = EXAMPLE_ARGUMENTS[route.operationId];
    if (example === undefined) {
        throw new Error(`No example arguments for the tool ${route.operationId}: add them to EXAMPLE_ARGUMENTS in tests/toolExamples.ts`);
    }
    expect(z.safeParse(route.request, example).success, `EXAMPLE_ARGUMENTS.${route.operationId} matches the route's schema`).to.be.true;
    return example;
}
