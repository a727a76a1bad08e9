/**
 * The Lambda behind every route. It always returns a proxy result and never throws: API Gateway turns a
 * throw into a bare 502 the model cannot act on.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import { APP_CLIENT_ID_ENV, authenticate, MCP_CLIENT_ID_ENV, MCP_SHADOW_CLIENT_ID_ENV, type Caller } from "./auth";
import { readBody } from "./body";
import { dispatcher, mayCall, MCP_PATH, type Dispatcher } from "./dispatch";
import { readEvent, type Request } from "./event";
import { errorResult, HttpError, okResult } from "./http";
import { callerFields, logCall, logError, logRequest, type CallOutcome } from "./log";
import { operations, type OperationsOf } from "./operations";
import { routeList, routes, type RouteEntry as Route, type RouteSpec } from "./routes";

export type Handler = (event: APIGatewayProxyEvent, context?: Context) => Promise<APIGatewayProxyResult>;

/**
 * The handler for a route table and its operations. The Lambda runs the shipped ones (`handler` below); tests
 * build one for a copy of the table with a route added, to check that dispatch follows the table.
 */
export function createHandler<T extends Readonly<Record<string, RouteSpec>>>(table: T, functions: OperationsOf<T>): Handler {
    const app = dispatcher(routeList(table), functions);
    return (event, context) => handle(app, event, context);
}

export const handler: Handler = createHandler(routes, operations);

async function handle(app: Dispatcher, event: APIGatewayProxyEvent, context?: Context): Promise<APIGatewayProxyResult> {
    const started = performance.now();
    const served: Served = { route: "none" };
    let request: Request | undefined;
    let requestId = context?.awsRequestId ?? "local";
    let result: APIGatewayProxyResult;
    try {
        // Inside the try: an event whose property access throws (a getter, a revoked Proxy) still gets an answer.
        request = readEvent(event);
        requestId = context?.awsRequestId ?? request.gatewayRequestId ?? "local";
        result = await serve(app, request, requestId, served);
    } catch (error) {
        if (HttpError.is(error)) {
            result = errorResult(error);
        } else {
            logError(requestId, served.route, error);
            result = errorResult(new HttpError(500, "internal_error", `Something went wrong on our side; quote request id ${requestId} when reporting it.`), { requestId });
        }
    }
    const latencyMs = Math.round((performance.now() - started) * 100) / 100;
    logRequest({
        requestId,
        route: served.route,
        // An event that could not be read has no method to report.
        method: request === undefined ? UNREADABLE_METHOD : request.method.slice(0, 10),
        status: result.statusCode,
        latencyMs,
        ...(served.caller === undefined ? {} : { sub: served.caller.sub }),
    });
    if (served.stage !== undefined && served.caller !== undefined) {
        // The audit line of a REST call: only once the request reached its route (an unknown path is not a call).
        logCall({ requestId, surface: "rest", route: served.route, ...callerFields(served.caller), outcome: restOutcome(served.stage, result.statusCode), status: result.statusCode, latencyMs });
    }
    return result;
}

/** How a REST call ended, from how far it got and its status. */
function restOutcome(stage: NonNullable<Served["stage"]>, status: number): CallOutcome {
    if (status < 400) {
        return "ok";
    }
    if (status >= 500) {
        return "error";
    }
    return { refused: "refused", validating: "invalid", running: "failed" }[stage] as CallOutcome;
}

/** The log line's method for an event the handler could not read: lower case, which readEvent's upper-cased methods never are. */
export const UNREADABLE_METHOD = "unreadable";

/** What the log lines say of a request: the route it reached, who called, and how far the call got. */
interface Served {
    route: string;
    caller?: Caller;
    /** Set once a REST request reached its route: refused (groups), validating its body, or running the operation. */
    stage?: "refused" | "validating" | "running";
}

async function serve(app: Dispatcher, request: Request, requestId: string, served: Served): Promise<APIGatewayProxyResult> {
    const mcpClientId = process.env[MCP_CLIENT_ID_ENV];
    if (request.path === MCP_PATH && mcpClientId) {
        served.route = "mcp";
        // The MCP surface takes only MCP tokens (the MCP client's, or the OAuth facade's shadow client's for CIMD
        // clients), and loads the SDK only when called.
        const shadowClientId = process.env[MCP_SHADOW_CLIENT_ID_ENV];
        served.caller = authenticate(request, shadowClientId ? [mcpClientId, shadowClientId] : mcpClientId);
        const { handleMcp } = await import("./mcp.js");
        return handleMcp(app, request, served.caller, requestId);
    }
    const appClientId = process.env[APP_CLIENT_ID_ENV];
    if (!appClientId) {
        throw new Error(`${APP_CLIENT_ID_ENV} is not set; the function cannot check which app client a token belongs to`);
    }
    served.caller = authenticate(request, appClientId);
    const route = findRoute(app.routes, request);
    served.route = route.operationId;
    served.stage = "refused";
    if (!mayCall(route, served.caller)) {
        // Says that access is missing, never which groups would grant it. The schema stays the same for everyone:
        // a GPT Action cannot be filtered per user.
        throw new HttpError(403, "forbidden", "Your account does not have access to this operation; ask your administrator if you need it.");
    }
    served.stage = "validating";
    const body = route.request === undefined ? undefined : readBody(request, route.request);
    served.stage = "running";
    return okResult(await app.run(route.operationId, { body, caller: served.caller, requestId }));
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
