/**
 * "Adding a route is one table entry and one function", tested: the README's getOrder example is added to a copy
 * of the shipped table, and the API, the OpenAPI schema and the handler's dispatch must all follow.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import * as z from "zod/mini";
import { createHandler } from "../handler";
import { logSink } from "../handler/log";
import { operations } from "../handler/operations";
import { routeList, routes } from "../handler/routes";
import type { GptActionApi } from "../infra/api";
import { orderOperations, orderRoutes } from "./fixtures/getOrder";
import { AUTHORIZER_NAME } from "../infra/restApiDocument";
import { changedInputs, resourceKey, restApiDocumentOf, runApi, valueOf, type Run } from "./harness";
import { captured } from "./snapshotCapture";
import { exampleArguments, operationOutcome } from "./toolExamples";

const table = { ...routes, ...orderRoutes };
const EXECUTION_ARN = "arn:aws:execute-api:us-east-1:123456789012:mockapi";

/** The ```ts blocks of the README's "Adding a route" section. */
function readmeExampleBlocks(): string[] {
    const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("### Adding a route"), readme.indexOf("**Renaming, moving or removing a route**"));
    return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
}

describe("adding a route (the README's getOrder example)", () => {
    it("is the code the README shows: entry, stand-in data and function", () => {
        const fixture = fs.readFileSync(path.join(__dirname, "fixtures", "getOrder.ts"), "utf8");
        const [entry, data, fn] = readmeExampleBlocks();
        for (const block of [entry, data, fn]) {
            expect(fixture).to.include(block);
        }
    });

    describe("the API follows the table", () => {
        let shipped: Run<GptActionApi>;
        let extended: Run<GptActionApi>;
        before(async () => {
            // Without the example, in case it was added to the shipped table as the README shows.
            const withoutExample = routeList().filter((r) => !Object.keys(orderRoutes).includes(r.operationId));
            shipped = await runApi(withoutExample);
            extended = await runApi([...withoutExample, ...routeList(orderRoutes)]);
        });

        it("adds no resource: only the API's document and the deployment that snapshots it change", () => {
            expect(extended.resources.map(resourceKey)).to.have.members(shipped.resources.map(resourceKey));
            expect(changedInputs(shipped, extended)).to.have.members([
                "aws:apigateway/restApiPut:RestApiPut gpt-action-definition.body",
                "aws:apigateway/deployment:Deployment gpt-action-deployment.triggers",
            ]);
        });

        it("wires the new route like the shipped ones: authorizer, body model, proxy integration, preflight", () => {
            const document = restApiDocumentOf(extended);
            const operation = document.paths["/orders/lookup"].post;
            expect(operation.operationId).to.equal("getOrder");
            expect(operation.security).to.deep.equal([{ [AUTHORIZER_NAME]: ["openid"] }]);
            expect(operation.requestBody?.content["application/json"].schema.$ref).to.equal("#/components/schemas/getOrderBody");
            const model = document.components.schemas.getOrderBody as { required: string[]; properties: Record<string, { pattern: string }> };
            expect(model.required).to.deep.equal(["orderId"]);
            expect(model.properties.orderId.pattern).to.equal("^ORD-\\d+$");
            expect(operation["x-amazon-apigateway-integration"]).to.deep.include({ type: "aws_proxy", httpMethod: "POST" });
            expect(document.paths["/orders/lookup"].options["x-amazon-apigateway-integration"].type).to.equal("mock");
            // The one permission covers it: every route of this API's stage.
            expect(extended.one("aws:lambda/permission:Permission", "gpt-action-permission").inputs.sourceArn).to.equal(`${EXECUTION_ARN}/Prod/*/*`);
        });

        it("leaves the resource snapshot as it is: tests/resourceSnapshot.test.ts needs no re-record", () => {
            const withoutExample = routeList().filter((r) => !Object.keys(orderRoutes).includes(r.operationId));
            expect(captured(extended.resources, [...withoutExample, ...routeList(orderRoutes)])).to.deep.equal(captured(shipped.resources, withoutExample));
        });

        it("describes the route in the OpenAPI schema, beside the shipped ones", async () => {
            const doc = JSON.parse(await valueOf(extended.program.openApiSchema)) as {
                paths: Record<string, Record<string, { operationId: string; requestBody?: { required: boolean; content: Record<string, { schema: { required: string[] } }> } }>>;
            };
            const operationIds = Object.values(doc.paths).flatMap((methods) => Object.values(methods).map((op) => op.operationId));
            expect(operationIds).to.have.members(Object.keys(table));
            const op = doc.paths["/orders/lookup"].post;
            expect(op.operationId).to.equal("getOrder");
            expect(op.requestBody?.required).to.be.true;
            expect(op.requestBody?.content["application/json"].schema.required).to.deep.equal(["orderId"]);
        });
    });

    describe("the handler dispatches to the new function", () => {
        const handle = createHandler(table, { ...operations, ...orderOperations });
        const claims = { sub: "user-sub-1", token_use: "access", client_id: "test-app-client", scope: "openid", username: "john" };

        /** Calls the handler as API Gateway would after the authorizer, without printing its log line. */
        async function post(routePath: string, body: unknown): Promise<{ status: number; body: unknown }> {
            const event = {
                httpMethod: "POST", path: routePath, resource: routePath, body: JSON.stringify(body), isBase64Encoded: false,
                headers: { "Content-Type": "application/json" }, requestContext: { requestId: "r1", authorizer: { claims } },
            } as unknown as APIGatewayProxyEvent;
            const write = logSink.write;
            logSink.write = () => undefined;
            try {
                const result: APIGatewayProxyResult = await handle(event);
                return { status: result.statusCode, body: JSON.parse(result.body) as unknown };
            } finally {
                logSink.write = write;
            }
        }

        before(() => {
            process.env.APP_CLIENT_ID = "test-app-client";
        });
        after(() => {
            delete process.env.APP_CLIENT_ID;
        });

        it("answers the new route from its function, validating the body against its schema", async () => {
            expect(await post("/orders/lookup", { orderId: "ORD-1234" })).to.deep.equal({ status: 200, body: { status: "shipped", totalUsd: 42.5 } });
            expect(await post("/orders/lookup", { orderId: "ORD-9999" })).to.deep.include({ status: 404 }).and.have.nested.property("body.error.code", "order_not_found");
            expect(await post("/orders/lookup", { orderId: "1234" })).to.deep.include({ status: 400 }).and.have.nested.property("body.error.code", "invalid_body");
        });

        it("gives the tests that call every tool valid arguments from the table alone, and the operation's own answer to compare", async () => {
            const [route] = routeList(orderRoutes);
            const args = exampleArguments(route);
            expect(z.safeParse(route.request as z.ZodMiniType, args).success, JSON.stringify(args)).to.be.true;
            const outcome = await operationOutcome(route, args, { sub: claims.sub, username: claims.username, scopes: ["openid"] }, orderOperations, [route]);
            // Generated ids name no stored order: the operation's expected failure, which the tool tests then expect.
            expect(outcome.ok ? 200 : outcome.error.statusCode).to.be.oneOf([200, 404]);
        });

        it("still answers the shipped routes", async () => {
            expect(await post("/my_route", {})).to.deep.equal({ status: 200, body: { success: true } });
        });
    });
});
