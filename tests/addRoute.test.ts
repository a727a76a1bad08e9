/**
 * "Adding a route is one table entry and one function", tested: the README's getOrder example is added to a copy
 * of the shipped table, and the API, the OpenAPI schema and the handler's dispatch must all follow.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { createHandler } from "../handler";
import { logSink } from "../handler/log";
import { operations } from "../handler/operations";
import { routeList, routes, type RouteEntry } from "../handler/routes";
import { GptActionApi } from "../infra/api";
import { orderOperations, orderRoutes } from "./fixtures/getOrder";
import { changedInputs, resourceKey, runUnderMocks, valueOf, type Run } from "./harness";

const table = { ...routes, ...orderRoutes };
const EXECUTION_ARN = "arn:aws:execute-api:us-east-1:123456789012:mockapi";

/** The API component alone, built from `entries`, as index.ts builds it (with CORS, so OPTIONS methods exist). */
function api(entries: RouteEntry[]): Promise<Run<GptActionApi>> {
    return runUnderMocks(() => new GptActionApi("gpt-action", {
        userPoolArn: "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_MockPool",
        appClientId: "mockclientid",
        scopes: ["openid"],
        routes: entries,
        corsAllowOrigin: "*",
    }));
}

/** The ```ts blocks of the README's "Adding a route" section. */
function readmeExampleBlocks(): string[] {
    const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("### Adding a route"), readme.indexOf("**Removing a route**"));
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
            shipped = await api(withoutExample);
            extended = await api([...withoutExample, ...routeList(orderRoutes)]);
        });

        it("adds the route's resources, model, method, integration, permission and preflight, and removes nothing", () => {
            const before = shipped.resources.map(resourceKey);
            const after = extended.resources.map(resourceKey);
            expect(after).to.include.members(before);
            expect(after.filter((key) => !before.includes(key))).to.have.members([
                "aws:apigateway/resource:Resource gpt-action-resource/orders",
                "aws:apigateway/resource:Resource gpt-action-resource/orders/lookup",
                "aws:apigateway/model:Model gpt-action-getOrder-model",
                "aws:apigateway/method:Method gpt-action-getOrder-method",
                "aws:apigateway/integration:Integration gpt-action-getOrder-integration",
                "aws:lambda/permission:Permission gpt-action-getOrder-permission",
                "aws:apigateway/method:Method gpt-action-options/orders/lookup-method",
                "aws:apigateway/integration:Integration gpt-action-options/orders/lookup-integration",
                "aws:apigateway/methodResponse:MethodResponse gpt-action-options/orders/lookup-method-response",
                "aws:apigateway/integrationResponse:IntegrationResponse gpt-action-options/orders/lookup-integration-response",
            ]);
            // Of what existed, only the deployment's trigger changes: the stage is redeployed with the new route.
            expect(changedInputs(shipped, extended)).to.deep.equal(["aws:apigateway/deployment:Deployment gpt-action-deployment.triggers"]);
        });

        it("wires the new route like the shipped ones: authorizer, body model, proxy integration, scoped permission", () => {
            expect(extended.one("aws:apigateway/resource:Resource", "/orders/lookup").inputs).to.deep.include({ parentId: "gpt-action-resource/orders-id", pathPart: "lookup" });
            expect(extended.one("aws:apigateway/method:Method", "getOrder-method").inputs).to.deep.include({
                resourceId: "gpt-action-resource/orders/lookup-id",
                httpMethod: "POST",
                authorization: "COGNITO_USER_POOLS",
                authorizationScopes: ["openid"],
                requestModels: { "application/json": "getOrderBody" },
            });
            const model = JSON.parse(String(extended.one("aws:apigateway/model:Model", "getOrder-model").inputs.schema)) as { required: string[]; properties: Record<string, { pattern: string }> };
            expect(model.required).to.deep.equal(["orderId"]);
            expect(model.properties.orderId.pattern).to.equal("^ORD-\\d+$");
            expect(extended.one("aws:apigateway/integration:Integration", "getOrder-integration").inputs).to.deep.include({ type: "AWS_PROXY", httpMethod: "POST" });
            expect(extended.one("aws:lambda/permission:Permission", "getOrder-permission").inputs.sourceArn).to.equal(`${EXECUTION_ARN}/Prod/POST/orders/lookup`);
            const deploymentDependencies = extended.dependenciesOf(extended.one("aws:apigateway/deployment:Deployment"));
            for (const name of ["getOrder-method", "getOrder-integration", "getOrder-model"]) {
                expect(deploymentDependencies.some((urn) => urn.endsWith(`::gpt-action-${name}`)), name).to.be.true;
            }
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

        it("still answers the shipped routes", async () => {
            expect(await post("/my_route", {})).to.deep.equal({ status: 200, body: { success: true } });
        });
    });
});
