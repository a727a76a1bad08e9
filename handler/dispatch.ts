/** A route table with its operations, as both surfaces (REST and MCP) run them: one place calls your code. */
import type { Caller } from "./auth";
import type { RouteEntry } from "./routes";

/** The resource path of the MCP endpoint, under the stage. */
export const MCP_PATH = "/mcp";

export interface OperationCall {
    readonly body: unknown;
    readonly caller: Caller;
    readonly requestId: string;
}

export interface Dispatcher {
    readonly routes: readonly RouteEntry[];
    /** Runs the operation named `operationId` (a route of `routes`). */
    run(operationId: string, call: OperationCall): Promise<unknown>;
}

/** `functions` must hold one function per route (OperationsOf checks that where it is built). */
export function dispatcher(routes: readonly RouteEntry[], functions: object): Dispatcher {
    // Looked up at call time, so a test may swap one operation of the object for a while.
    const byName = functions as Readonly<Record<string, (call: OperationCall) => unknown>>;
    return { routes, run: async (operationId, call) => await byName[operationId](call) };
}
