/**
 * Your logic: one function per route of handler/routes.ts, under the same name. Each receives the validated
 * body and the caller, and returns what the route's response schema describes. Throw an HttpError for an
 * expected failure the model should see; anything else becomes a 500 with a request id.
 */
import type * as z from "zod/mini";
import type { Caller } from "./auth";
import { fileResponse, toCsv } from "./files";
import type { RouteSpec, Routes } from "./routes";

type BodyOf<R> = R extends { readonly request: infer S extends z.ZodMiniType } ? z.output<S> : undefined;
type ResultOf<R> = R extends { readonly response: { readonly schema: infer S extends z.ZodMiniType } } ? z.input<S> : never;

export interface Call<R> {
    readonly body: BodyOf<R>;
    readonly caller: Caller;
    readonly requestId: string;
}

/** Exactly one function per route of the table `T`: a missing or extra name does not compile. */
export type OperationsOf<T extends Readonly<Record<string, RouteSpec>>> = {
    readonly [K in keyof T]: (call: Call<T[K]>) => ResultOf<T[K]> | Promise<ResultOf<T[K]>>;
};

/** The functions of the shipped route table. */
export type Operations = OperationsOf<Routes>;

const REGIONS = ["EMEA", "AMER", "APAC"] as const;
const PRODUCTS = ["Basic", "Pro", "Enterprise"] as const;

export const operations: Operations = {
    postSuccess: () => ({ success: true }),

    // An example of returning a file. Replace the made-up figures with your query (Athena, DynamoDB, Redshift…).
    getSalesReport: ({ body }) => {
        const rows: Array<Array<string | number>> = [["month", "region", "product", "units", "revenue_usd"]];
        for (const region of body.region === undefined ? REGIONS : [body.region]) {
            for (const product of PRODUCTS) {
                const units = exampleUnits(`${body.month}/${region}/${product}`);
                rows.push([body.month, region, product, units, units * (product === "Basic" ? 10 : product === "Pro" ? 50 : 400)]);
            }
        }
        return fileResponse([{ name: `sales-${body.month}.csv`, mimeType: "text/csv", content: toCsv(rows) }]);
    },
};

/** Stable made-up figures, so the example is the same on every call. */
function exampleUnits(key: string): number {
    let hash = 2166136261;
    for (const char of key) {
        hash = Math.imul(hash ^ char.charCodeAt(0), 16777619);
    }
    return (hash >>> 0) % 900 + 100;
}
