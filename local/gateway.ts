/**
 * API Gateway, emulated for local mode: routes `/<stage>/<path>` from the route table, applies the Cognito
 * authorizer's rules (valid access token of the pool holding one of the scopes, else 401
 * {"message":"Unauthorized"}), builds the same proxy event and calls the real handler in-process.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { JWTPayload } from "jose";
import type { RouteEntry } from "../handler/routes";
import { BodyTooLarge, readBody } from "./http";

export type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export interface GatewayOptions {
    readonly stageName: string;
    readonly routes: readonly RouteEntry[];
    /** A token must hold at least one of these scopes. */
    readonly scopes: readonly string[];
    readonly corsAllowOrigin?: string;
    /** The claims of a valid access token of the user pool, or undefined. */
    readonly verifyAccessToken: (token: string) => Promise<JWTPayload | undefined>;
    readonly handler: Handler;
    readonly lambdaTimeoutSeconds: number;
}

const CORS_ALLOW_HEADERS = "Content-Type,Authorization,X-Amz-Date,X-Api-Key,X-Amz-Security-Token";

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

export function createGateway(options: GatewayOptions) {
    const prefix = `/${options.stageName}`;
    const cors = options.corsAllowOrigin;
    const corsHeaders: Record<string, string> = cors === undefined ? {} : { "Access-Control-Allow-Origin": cors };

    /** A gateway-generated response: `{"message": …}` with CORS headers, as the stack's gateway responses. */
    const gatewayError = (res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}) => {
        res.writeHead(status, { "Content-Type": "application/json", ...corsHeaders, ...headers });
        res.end(JSON.stringify({ message }));
    };

    /** Serves the API; false when `url` is outside the stage. */
    return async function serve(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
        if (!url.pathname.startsWith(`${prefix}/`)) {
            return false;
        }
        const path = url.pathname.slice(prefix.length);
        const method = req.method ?? "";
        const onPath = options.routes.filter((r) => r.path === path);
        if (method === "OPTIONS" && cors !== undefined && onPath.length > 0) {
            res.writeHead(200, {
                ...corsHeaders,
                "Access-Control-Allow-Methods": [...onPath.map((r) => r.method), "OPTIONS"].join(","),
                "Access-Control-Allow-Headers": CORS_ALLOW_HEADERS,
                "Content-Type": "application/json",
            });
            res.end("{}");
            return true;
        }
        const route = onPath.find((r) => r.method === method);
        if (route === undefined) {
            // What API Gateway answers for a method or path it does not have.
            gatewayError(res, 403, "Missing Authentication Token");
            return true;
        }

        // The Cognito authorizer: the Authorization header holds the token, with or without "Bearer ".
        const token = (req.headers.authorization ?? "").replace(/^Bearer\s+/i, "").trim();
        const claims = token === "" ? undefined : await options.verifyAccessToken(token);
        const tokenScopes = typeof claims?.scope === "string" ? claims.scope.split(" ") : [];
        if (claims === undefined || !options.scopes.some((s) => tokenScopes.includes(s))) {
            gatewayError(res, 401, "Unauthorized", { "WWW-Authenticate": "Bearer" });
            return true;
        }

        let body: Buffer;
        try {
            body = await readBody(req);
        } catch (error) {
            if (error instanceof BodyTooLarge) {
                gatewayError(res, 413, "Request Too Long");
                return true;
            }
            throw error;
        }

        const requestId = randomUUID();
        const headers: Record<string, string> = {};
        const multiValueHeaders: Record<string, string[]> = {};
        for (let i = 0; i < req.rawHeaders.length; i += 2) {
            const [name, value] = [req.rawHeaders[i], req.rawHeaders[i + 1]];
            headers[name] = value;
            (multiValueHeaders[name] ??= []).push(value);
        }
        const query = url.search === "" ? null : Object.fromEntries(url.searchParams);
        const event = {
            resource: route.path,
            path,
            httpMethod: method,
            headers,
            multiValueHeaders,
            queryStringParameters: query,
            multiValueQueryStringParameters: query === null ? null : Object.fromEntries([...url.searchParams.keys()].map((k) => [k, url.searchParams.getAll(k)])),
            pathParameters: null,
            stageVariables: null,
            body: body.length === 0 ? null : body.toString("utf8"),
            isBase64Encoded: false,
            requestContext: {
                requestId,
                stage: options.stageName,
                resourcePath: route.path,
                httpMethod: method,
                path: url.pathname,
                authorizer: { claims: stringClaims(claims) },
            },
        } as unknown as APIGatewayProxyEvent;

        let result: APIGatewayProxyResult;
        try {
            result = await options.handler(event, lambdaContext(requestId, options.lambdaTimeoutSeconds));
        } catch {
            // API Gateway's answer when the function throws.
            gatewayError(res, 502, "Internal server error");
            return true;
        }
        const responseHeaders: Record<string, string> = {};
        for (const [name, value] of Object.entries(result.headers ?? {})) {
            responseHeaders[name] = String(value);
        }
        // A string body goes out in the same write as the headers; a known length spares chunked encoding.
        const payload = result.isBase64Encoded ? Buffer.from(result.body, "base64") : result.body;
        responseHeaders["Content-Length"] = String(typeof payload === "string" ? Buffer.byteLength(payload) : payload.length);
        res.writeHead(result.statusCode, responseHeaders);
        res.end(payload);
        return true;
    };
}
