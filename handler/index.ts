/**
 * The Lambda behind every route. It always returns a proxy result and never throws: API Gateway turns a
 * throw into a bare 502 the model cannot act on.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import { APP_CLIENT_ID_ENV, authenticate, type Caller } from "./auth";
import { readBody } from "./body";
import { readEvent, type Request } from "./event";
import { errorResult, HttpError, okResult } from "./http";
import { logError, logRequest } from "./log";
import { operations, type OperationsOf } from "./operations";
import { routeList, routes, type RouteEntry as Route, type RouteSpec } from "./routes";

export type Handler = (event: APIGatewayProxyEvent, context?: Context) => Promise<APIGatewayProxyResult>;
/** Untyped view of the operations, for dispatch by name; OperationsOf checks each one against its route. */
type Dispatch = Readonly<Record<string, (call: { body: unknown; caller: Caller; requestId: string }) => unknown>>;

/**
 * The handler for a route table and its operations. The Lambda runs the shipped ones (`handler` below); tests
 * build one for a copy of the table with a route added, to check that dispatch follows the table.
 */
export function createHandler<T extends Readonly<Record<string, RouteSpec>>>(table: T, functions: OperationsOf<T>): Handler {
    const entries = routeList(table);
    // Looked up at call time, so a test may swap one operation of the object for a while.
    const dispatch = functions as unknown as Dispatch;
    return (event, context) => handle(entries, dispatch, event, context);
}

export const handler: Handler = createHandler(routes, operations);

async function handle(entries: readonly Route[], dispatch: Dispatch, event: APIGatewayProxyEvent, context?: Context): Promise<APIGatewayProxyResult> {
    const started = performance.now();
    const request = readEvent(event);
    const requestId = context?.awsRequestId ?? request.gatewayRequestId ?? "local";
    let route: Route | undefined;
    let caller: Caller | undefined;
    let result: APIGatewayProxyResult;
    try {
        const appClientId = process.env[APP_CLIENT_ID_ENV];
        if (!appClientId) {
            throw new Error(`${APP_CLIENT_ID_ENV} is not set; the function cannot check which app client a token belongs to`);
        }
        caller = authenticate(request, appClientId);
        route = findRoute(entries, request);
        const body = route.request === undefined ? undefined : readBody(request, route.request);
        result = okResult(await dispatch[route.operationId]({ body, caller, requestId }));
    } catch (error) {
        if (error instanceof HttpError) {
            result = errorResult(error);
        } else {
            logError(requestId, route?.operationId ?? "none", error);
            result = errorResult(new HttpError(500, "internal_error", `Something went wrong on our side; quote request id ${requestId} when reporting it.`), { requestId });
        }
    }
    logRequest({
        requestId,
        route: route?.operationId ?? "none",
        method: request.method.slice(0, 10),
        status: result.statusCode,
        latencyMs: Math.round((performance.now() - started) * 100) / 100,
        ...(caller === undefined ? {} : { sub: caller.sub }),
    });
    return result;
}

/** The route for the request's method and path: 404 for an unknown path, 405 (with Allow) for a wrong method. */
function findRoute(entries: readonly Route[], request: Request): Route {
    const onPath = entries.filter((r) => r.path === request.path);
    const route = onPath.find((r) => r.method === request.method);
    if (route !== undefined) {
        return route;
    }
    if (onPath.length === 0) {
        throw new HttpError(404, "not_found", "No operation at this path; see the OpenAPI schema for the available ones.");
    }
    const allowed = onPath.map((r) => r.method).join(", ");
    throw new HttpError(405, "method_not_allowed", `Use ${allowed} for this path.`, { Allow: allowed });
}
