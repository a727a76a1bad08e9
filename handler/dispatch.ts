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

/**
 * Whether `caller` may call `route`: a route without groups is open to every signed-in user; one with groups to
 * members of at least one of them (from the token's `cognito:groups`, signed by Cognito). Both surfaces ask here.
 */
export function mayCall(route: Pick<RouteEntry, "groups">, caller: Pick<Caller, "groups">): boolean {
    return route.groups === undefined || route.groups.length === 0 || route.groups.some((group) => caller.groups.includes(group));
}

/** `functions` must hold one function per route (OperationsOf checks that where it is built). */
export function dispatcher(routes: readonly RouteEntry[], functions: object): Dispatcher {
    // Looked up at call time, so a test may swap one operation of the object for a while.
    const byName = functions as Readonly<Record<string, (call: OperationCall) => unknown>>;
    return { routes, run: async (operationId, call) => await byName[operationId](call) };
}
