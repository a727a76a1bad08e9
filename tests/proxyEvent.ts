/** Proxy events as API Gateway hands them to the function after its Cognito authorizer, for the handler's tests. */
import type { APIGatewayProxyEvent } from "aws-lambda";

export interface ProxyEventParts {
    readonly method: string;
    /** The resource path API Gateway matched, e.g. "/my_route". */
    readonly resource: string;
    /** The request's path as the client sent it; default: `resource`. */
    readonly path?: string;
    readonly body: string | null;
    readonly headers: Record<string, string>;
    readonly isBase64Encoded?: boolean;
    /** The authorizer's claims; undefined sends none. */
    readonly claims?: Record<string, string>;
}

export function proxyEvent(parts: ProxyEventParts): APIGatewayProxyEvent {
    return {
        httpMethod: parts.method,
        resource: parts.resource,
        path: parts.path ?? parts.resource,
        body: parts.body,
        isBase64Encoded: parts.isBase64Encoded ?? false,
        headers: parts.headers,
        multiValueHeaders: {},
        pathParameters: null,
        queryStringParameters: null,
        multiValueQueryStringParameters: null,
        stageVariables: null,
        requestContext: {
            requestId: "gateway-request-1",
            authorizer: parts.claims === undefined ? undefined : { claims: parts.claims },
        } as unknown as APIGatewayProxyEvent["requestContext"],
    };
}
