/**
 * API Gateway, emulated for local mode: routes `/<stage>/<path>` from the route table, applies the Cognito
 * authorizer's rules (valid access token of the pool holding one of the scopes, else 401
 * {"message":"Unauthorized"}), builds the same proxy event and calls the real handler in-process. With MCP on, it
 * also serves `/mcp` (any method, the MCP scope only) and the public discovery documents, as the stack does, and the
 * OAuth facade's endpoints under `/oauth` (no authorizer: they are how a client gets a token).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { JWTPayload } from "jose";
import { MCP_PATH } from "../handler/dispatch";
import { CORS_PATHS as FACADE_CORS_PATHS, PREFLIGHT_HEADERS as FACADE_PREFLIGHT_HEADERS } from "../handler/facade/cors";
import { FACADE_METHODS } from "../handler/facade/paths";
import type { RouteEntry } from "../handler/routes";
import { CORS_ALLOW_HEADERS } from "../infra/restApiDocument";
import { BodyTooLarge, closeSoon, failed, readBody } from "./http";
import type { McpSurface } from "./mcpSurface";

export type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export interface GatewayOptions {
    readonly stageName: string;
    readonly routes: readonly RouteEntry[];
    /** A token must hold at least one of these scopes. */
    readonly scopes: readonly string[];
    readonly corsAllowOrigin?: string;
    /** The claims of a valid access token of the user pool, or undefined. */
    readonly verifyAccessToken: (token: string) => Promise<JWTPayload | undefined>;
    /**
     * The claims of a token that passed `verifyAccessToken` before and has not expired, else undefined;
     * synchronous, so that a client reusing its token (as ChatGPT does) costs no wait. Default: none.
     */
    readonly rememberedAccessToken?: (token: string) => JWTPayload | undefined;
    readonly handler: Handler;
    readonly lambdaTimeoutSeconds: number;
    /** The MCP surface; undefined when `mcp` is off (then /mcp and the documents do not exist). */
    readonly mcp?: McpSurface;
    /** The OAuth facade's function (handler/facade), behind its unauthenticated /oauth routes; undefined: no such routes. */
    readonly facade?: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
}


/** A Lambda context for one invocation, as the runtime would pass it. */
function lambdaContext(requestId: string, timeoutSeconds: number): Context {
    const deadline = Date.now() + timeoutSeconds * 1000;
    return {
        callbackWaitsForEmptyEventLoop: true,
        functionName: "gpt-action-local",
        functionVersion: "$LATEST",
        invokedFunctionArn: "arn:aws:lambda:local:000000000000:function:gpt-action-local",
        memoryLimitInMB: "256",
        awsRequestId: requestId,
        logGroupName: "local",
        logStreamName: "local",
        getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
        done: () => undefined,
        fail: () => undefined,
        succeed: () => undefined,
    };
}

/** API Gateway hands the handler every claim as a string; computed once per verified token. */
const claimStrings = new WeakMap<JWTPayload, Record<string, string>>();
function stringClaims(claims: JWTPayload): Record<string, string> {
    let strings = claimStrings.get(claims);
    if (strings === undefined) {
        strings = Object.freeze(Object.fromEntries(Object.entries(claims).map(([k, v]) => [k, String(v)])));
        claimStrings.set(claims, strings);
    }
    return strings;
}

/** A proxy result API Gateway would accept: a status code, and a string body and header map if any. */
function wellFormed(result: unknown): result is Omit<APIGatewayProxyResult, "body"> & { body?: string } {
    if (typeof result !== "object" || result === null) {
        return false;
    }
    const { statusCode, body, headers } = result as Record<string, unknown>;
    return Number.isInteger(statusCode) && (statusCode as number) >= 100 && (statusCode as number) <= 599
        && (body === undefined || typeof body === "string")
        && (headers === undefined || (typeof headers === "object" && headers !== null && !Array.isArray(headers)));
}

/** What API Gateway matched: the resource and method the function sees, and the scopes its authorizer requires. */
interface Method {
    readonly resource: string;
    readonly method: string;
    /** A token must hold at least one of these. */
    readonly scopes: readonly string[];
}

/** The path and query string of a request target ("/Prod/my_route?a=1"). */
interface Target {
    readonly path: string;
    readonly query: string;
}

function splitTarget(target: string): Target {
    const q = target.indexOf("?");
    return q < 0 ? { path: target, query: "" } : { path: target.slice(0, q), query: target.slice(q + 1) };
}

export function createGateway(options: GatewayOptions) {
    const prefix = `/${options.stageName}`;
    const cors = options.corsAllowOrigin;
    const corsHeaders: Record<string, string> = cors === undefined ? {} : { "Access-Control-Allow-Origin": cors };
    const mcp = options.mcp;
    // RFC 9728 §5.1: with MCP on, the stack's UNAUTHORIZED gateway response names the resource metadata.
    // A browser-based client reads the challenge only if CORS exposes it.
    const unauthorizedHeaders = {
        "WWW-Authenticate": mcp?.challenge ?? "Bearer",
        ...(cors === undefined ? {} : { "Access-Control-Expose-Headers": "WWW-Authenticate" }),
    };
    const methods = new Map(options.routes.map((r) => [`${r.method} ${r.path}`, { resource: r.path, method: r.method, scopes: options.scopes }]));

    /** A gateway-generated response: `{"message": …}` with CORS headers, as the stack's gateway responses. */
    const gatewayError = (res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}) => {
        res.writeHead(status, { "Content-Type": "application/json", ...corsHeaders, ...headers });
        res.end(JSON.stringify({ message }));
    };

    /**
     * Reads the body, builds the proxy event, calls the function and writes its result. `claims` undefined: a method
     * without an authorizer, whose event has none.
     */
    async function invoke(req: IncomingMessage, res: ServerResponse, route: Method, target: Target, claims: JWTPayload | undefined, fn: Handler = options.handler): Promise<void> {
        let requestBody: Buffer;
        try {
            requestBody = await readBody(req);
        } catch (error) {
            if (error instanceof BodyTooLarge) {
                gatewayError(res, 413, "Request Too Long", { Connection: "close" });
                closeSoon(req, res);
                return;
            }
            throw error;
        }

        const requestId = randomUUID();
        // Maps, then plain objects with own properties, as Lambda's JSON.parse of the event makes them: a header named
        // like an Object.prototype member (constructor, __proto__, toString) is then a header, not the member.
        const single = new Map<string, string>();
        const multi = new Map<string, string[]>();
        const raw = req.rawHeaders;
        for (let i = 0; i < raw.length; i += 2) {
            single.set(raw[i], raw[i + 1]);
            multi.set(raw[i], [...(multi.get(raw[i]) ?? []), raw[i + 1]]);
        }
        const headers = Object.fromEntries(single);
        const multiValueHeaders = Object.fromEntries(multi);
        const { path, query } = target;
        const params = query === "" ? undefined : new URLSearchParams(query);
        const method = route.method;
        const event = {
            resource: route.resource,
            path: path.slice(prefix.length),
            httpMethod: method,
            headers,
            multiValueHeaders,
            queryStringParameters: params === undefined ? null : Object.fromEntries(params),
            multiValueQueryStringParameters: params === undefined ? null : Object.fromEntries([...params.keys()].map((k) => [k, params.getAll(k)])),
            pathParameters: null,
            stageVariables: null,
            body: requestBody.length === 0 ? null : requestBody.toString("utf8"),
            isBase64Encoded: false,
            requestContext: {
                requestId,
                stage: options.stageName,
                resourcePath: route.resource,
                httpMethod: method,
                path,
                ...(claims === undefined ? {} : { authorizer: { claims: stringClaims(claims) } }),
            },
        } as unknown as APIGatewayProxyEvent;

        let result: unknown;
        try {
            result = await fn(event, lambdaContext(requestId, options.lambdaTimeoutSeconds));
        } catch {
            result = undefined;
        }
        if (!wellFormed(result)) {
            // API Gateway's answer when the function throws or returns something that is not a proxy result.
            gatewayError(res, 502, "Internal server error");
            return;
        }
        const responseHeaders: Record<string, string> = {};
        const resultHeaders = result.headers ?? {};
        for (const name of Object.keys(resultHeaders)) {
            responseHeaders[name] = String(resultHeaders[name]);
        }
        // A string body goes out in the same write as the headers; a known length spares chunked encoding.
        const payload = result.isBase64Encoded ? Buffer.from(result.body ?? "", "base64") : result.body ?? "";
        responseHeaders["Content-Length"] = String(typeof payload === "string" ? Buffer.byteLength(payload) : payload.length);
        res.writeHead(result.statusCode, responseHeaders);
        res.end(payload);
    }

    /** The authorizer's rules: a valid access token of the pool that holds one of the method's scopes. */
    const authorized = (claims: JWTPayload | undefined, route: Method): claims is JWTPayload => {
        const tokenScopes = typeof claims?.scope === "string" ? claims.scope.split(" ") : [];
        return claims !== undefined && route.scopes.some((s) => tokenScopes.includes(s));
    };

    /** Verifies a token not seen before, then invokes or answers 401. */
    async function verifyAndInvoke(req: IncomingMessage, res: ServerResponse, route: Method, target: Target, token: string): Promise<void> {
        const claims = token === "" ? undefined : await options.verifyAccessToken(token);
        if (!authorized(claims, route)) {
            gatewayError(res, 401, "Unauthorized", unauthorizedHeaders);
            return;
        }
        await invoke(req, res, route, target, claims);
    }

    /**
     * Serves `requestTarget` (the request line's path and query) when it is inside the stage, and returns false
     * otherwise. Routing is synchronous; the rest finishes on its own and answers 500 if it fails.
     */
    return function serve(req: IncomingMessage, res: ServerResponse, requestTarget: string): boolean {
        if (!requestTarget.startsWith(`${prefix}/`)) {
            return false;
        }
        const target = splitTarget(requestTarget);
        const path = target.path.slice(prefix.length);
        const method = req.method ?? "";
        const document = method === "GET" ? mcp?.documents.get(path) : undefined;
        if (document !== undefined) {
            // A public MOCK method: no token, any origin, cacheable.
            res.writeHead(200, { "Content-Type": "application/json", "Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=3600" });
            res.end(document);
            return true;
        }
        const facade = options.facade;
        if (facade !== undefined && Object.hasOwn(FACADE_METHODS, path)) {
            if (method === "OPTIONS" && FACADE_CORS_PATHS.includes(path)) {
                // The stack's MOCK preflight of the token and revocation endpoints (infra/restApiDocument.ts).
                res.writeHead(200, { ...FACADE_PREFLIGHT_HEADERS, "Content-Type": "application/json" });
                res.end("{}");
            } else if (method !== FACADE_METHODS[path]) {
                gatewayError(res, 403, "Missing Authentication Token");
            } else {
                invoke(req, res, { resource: path, method, scopes: [] }, target, undefined, facade).catch(() => failed(res));
            }
            return true;
        }
        const isMcp = mcp !== undefined && path === MCP_PATH;
        const allowed = isMcp ? ["POST"] : options.routes.filter((r) => r.path === path).map((r) => r.method);
        if (method === "OPTIONS" && cors !== undefined && allowed.length > 0) {
            res.writeHead(200, {
                ...corsHeaders,
                "Access-Control-Allow-Methods": [...allowed, "OPTIONS"].join(","),
                "Access-Control-Allow-Headers": CORS_ALLOW_HEADERS,
                "Content-Type": "application/json",
            });
            res.end("{}");
            return true;
        }
        // /mcp is an ANY method: every verb reaches the function, which answers 405 to all but POST.
        const route = isMcp ? { resource: MCP_PATH, method, scopes: [mcp.scope] } : methods.get(`${method} ${path}`);
        if (route === undefined) {
            // What API Gateway answers for a method or path it does not have.
            gatewayError(res, 403, "Missing Authentication Token");
            return true;
        }
        // The Cognito authorizer: the Authorization header holds the token, with or without "Bearer ".
        const token = (req.headers.authorization ?? "").replace(/^Bearer\s+/i, "").trim();
        const remembered = token === "" ? undefined : options.rememberedAccessToken?.(token);
        const reply = authorized(remembered, route) ? invoke(req, res, route, target, remembered) : verifyAndInvoke(req, res, route, target, token);
        reply.catch(() => failed(res));
        return true;
    };
}
