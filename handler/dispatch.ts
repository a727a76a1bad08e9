/** Runs a route's operation by name: the one place both surfaces, REST and MCP, call your code from. */
import type { Caller } from "./auth";
import { operations } from "./operations";

/** The resource path of the MCP endpoint, under the stage. */
export const MCP_PATH = "/mcp";

export interface OperationCall {
    readonly body: unknown;
    readonly caller: Caller;
    readonly requestId: string;
}

/** Untyped view of the operations, for dispatch by name; the Operations type checks each one. */
const byName = operations as unknown as Readonly<Record<string, (call: OperationCall) => unknown>>;

export async function runOperation(operationId: string, call: OperationCall): Promise<unknown> {
    return await byName[operationId](call);
}
