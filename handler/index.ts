/** The Lambda behind every route: API Gateway's proxy event in, a proxy result out. */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { routes } from "./routes";

type Operation = (event: APIGatewayProxyEvent) => Promise<unknown>;

/** The function that serves each operationId of the route table. */
const operations: Record<string, Operation> = {
    postSuccess: () => Promise.resolve({ success: true }),
};

export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    const route = routes.find((r) => r.path === event.resource && r.method === event.httpMethod);
    const operation = route === undefined ? undefined : operations[route.operationId];
    if (operation === undefined) {
        return json(404, { error: { code: "not_found", message: `No route ${event.httpMethod} ${event.path}` } });
    }
    return json(200, await operation(event));
}

function json(statusCode: number, body: unknown): APIGatewayProxyResult {
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    const origin = process.env.CORS_ALLOW_ORIGIN;
    if (origin) {
        headers["Access-Control-Allow-Origin"] = origin;
    }
    return { statusCode, headers, body: JSON.stringify(body) };
}
