/**
 * The REST API's OpenAPI 3.0 document, checked as API Gateway's import would: valid OpenAPI 3.0 (a real
 * validator), within the import's documented limits ("Amazon API Gateway important notes for REST APIs"), models
 * that refuse what the handler refuses, and one Lambda permission however long the table grows.
 */
import SwaggerParser from "@apidevtools/swagger-parser";
import Ajv from "ajv-draft-04";
import { expect } from "chai";
import * as z from "zod/mini";
import { createHandler } from "../handler";
import { logSink } from "../handler/log";
import { operations } from "../handler/operations";
import { routeList, routes, type RouteEntry } from "../handler/routes";
import { apiLevelSettings, modelProblems, requestModelSchema, restApiDocument } from "../infra/restApiDocument";
import { routeTableError } from "../infra/routeTable";
import { proxyEvent } from "./proxyEvent";
import { restApiDocumentOf, runApi, runProgram, type OpenApi30 } from "./harness";

const STACKS: Record<string, Record<string, string>> = {
    "the default stack": {},
    "CORS for one origin": { corsAllowOrigin: "https://chatgpt.com" },
    "no CORS, no MCP": { corsAllowOrigin: "", mcp: "false" },
    "a custom domain": { customDomain: JSON.stringify({ zone: "example.com" }), callbackUrl: "https://chatgpt.com/aip/g-0123456789abcdef/oauth/callback" },
};

/** Every value under `value` whose key is `key`, at any depth. */
function valuesOf(value: unknown, key: string): unknown[] {
    if (Array.isArray(value)) {
        return (value as unknown[]).flatMap((v) => valuesOf(v, key));
    }
    if (typeof value !== "object" || value === null) {
        return [];
    }
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => [...(k === key ? [v] : []), ...valuesOf(v, key)]);
}

describe("the REST API's OpenAPI document", () => {
    for (const [stack, config] of Object.entries(STACKS)) {
        describe(stack, () => {
            let document: OpenApi30;
            let restApi: Record<string, unknown>;
            before(async () => {
                const run = await runProgram(config);
                document = restApiDocumentOf(run);
                restApi = run.one("aws:apigateway/restApi:RestApi").inputs;
            });

            it("carries the API-level settings an overwrite import would reset, equal to the RestApi's inputs (W5, H9)", () => {
                // AWS, "Update a REST API using OpenAPI": mode=overwrite resets what the body leaves out, "such as
                // security policies"; RestApiPut always overwrites (terraform-provider-aws rest_api_put.go).
                expect(document["x-amazon-apigateway-security-policy"]).to.equal(restApi.securityPolicy).and.match(/^SecurityPolicy_TLS13_1_2/);
                expect(document["x-amazon-apigateway-endpoint-access-mode"]).to.equal(restApi.endpointAccessMode).and.equal("BASIC");
                // OpenAPI 3.0: the endpoint configuration sits in a Server object's extensions.
                expect(document.servers).to.have.length(1);
                expect(document.servers[0]["x-amazon-apigateway-endpoint-configuration"]).to.deep.equal({ disableExecuteApiEndpoint: restApi.disableExecuteApiEndpoint });
                // The execute-api host answers only when no custom domain is given to clients instead.
                expect(restApi.disableExecuteApiEndpoint).to.equal(config.customDomain !== undefined);
            });

            it("is a valid OpenAPI 3.0 document", async () => {
                // validate() resolves $refs into the object it is given: hand it a copy.
                const api = await SwaggerParser.validate(structuredClone(document) as unknown as Parameters<typeof SwaggerParser.validate>[0]);
                expect(api).to.have.property("openapi", "3.0.1");
            });

            it("stays within API Gateway's import limits", () => {
                // Models: alphanumeric names, only keywords API Gateway supports.
                for (const [name, schema] of Object.entries(document.components.schemas)) {
                    expect(name).to.match(/^[A-Za-z0-9]+$/);
                    expect(modelProblems(schema), name).to.deep.equal([]);
                }
                // "The securitySchemes type, if used, must be apiKey."
                for (const scheme of Object.values(document.components.securitySchemes)) {
                    expect(scheme.type).to.equal("apiKey");
                }
                // Path segments: alphanumerics, "_", "-", ".", ",", ":" and curly braces.
                for (const path of Object.keys(document.paths)) {
                    expect(path).to.match(/^(\/[A-Za-z0-9_.,:{}-]+)+$/);
                }
                // No external references, no discriminator and no example anywhere.
                for (const ref of valuesOf(document, "$ref")) {
                    expect(String(ref)).to.match(/^#\/components\/schemas\/[A-Za-z0-9]+$/);
                }
                expect(valuesOf(document, "discriminator")).to.be.empty;
                expect(valuesOf(document, "example")).to.be.empty;
            });
        });
    }

    it("fits 60 routes under one permission that only this API's stage matches", async () => {
        const many: RouteEntry[] = Array.from({ length: 60 }, (_, i) => ({ ...routeList()[0], operationId: `route${i}`, path: `/r${i}` }));
        const run = await runApi(many);
        expect(Object.keys(restApiDocumentOf(run).paths)).to.have.lengthOf(60);
        // Lambda's function policy holds at most 20 KB; one statement is about 350 bytes, whatever the table.
        const permission = run.one("aws:lambda/permission:Permission", "gpt-action-permission");
        expect(permission.inputs.sourceArn).to.equal("arn:aws:execute-api:us-east-1:123456789012:mockapi/Prod/*/*");
    });

    describe("a request body's model", () => {
        const route = routeList().find((r) => r.request !== undefined)!;
        const model = new Ajv({ allErrors: true }).compile(requestModelSchema(route.request!));

        it("refuses what the route's schema refuses, as API Gateway's draft-4 validator would", () => {
            expect(model({})).to.be.false;
            expect(model({ month: "last month" })).to.be.false;
            expect(model({ month: "2026-10" })).to.be.true;
        });

        it("is mapped for every Content-Type, and the handler refuses a non-JSON one too", async () => {
            const document = restApiDocument({
                settings: apiLevelSettings(false), title: "t", description: "d", routes: [route], userPoolArn: "arn:pool", scopes: ["openid"], invokeArn: "arn:invoke",
            }) as OpenApi30;
            const content = document.paths[route.path][route.method.toLowerCase()].requestBody?.content ?? {};
            expect(content).to.have.all.keys("application/json", "$default");
            process.env.APP_CLIENT_ID = "app";
            const write = logSink.write;
            logSink.write = () => undefined;
            try {
                const result = await createHandler(routes, operations)(proxyEvent({
                    method: route.method, resource: route.path, body: "month=last", headers: { "Content-Type": "text/plain" },
                    claims: { sub: "s", token_use: "access", client_id: "app", scope: "openid" },
                }));
                expect(result.statusCode).to.equal(415);
            } finally {
                logSink.write = write;
                delete process.env.APP_CLIENT_ID;
            }
        });

        it("leaves out what API Gateway cannot express, and the route table check names it", () => {
            expect(requestModelSchema(z.object({ a: z.string() }).check(z.meta({ examples: [{ a: "x" }] })))).to.not.have.property("examples");
            const refused: Array<[z.ZodMiniType, RegExp]> = [
                [z.object({ n: z.number().check(z.gt(0)) }), /exclusiveMinimum/],
                [z.object({ tags: z.record(z.string(), z.string()) }), /additionalProperties/],
                [z.object({ v: z.union([z.string(), z.number()]) }), /anyOf/],
            ];
            for (const [schema, message] of refused) {
                expect(modelProblems(requestModelSchema(schema)).join(" "), message.source).to.match(message);
                const error = routeTableError([{ ...route, request: schema }]);
                expect(error, message.source).to.match(new RegExp(`${route.operationId}: the body\\.\\w+: .*${message.source}`));
            }
            expect(modelProblems(requestModelSchema(z.object({ n: z.number().check(z.gte(0)) })))).to.deep.equal([]);
        });
    });
});
