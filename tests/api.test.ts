import { expect } from "chai";
import { CORS_PATHS } from "../handler/facade/cors";
import { routeList } from "../handler/routes";
import { createHash } from "node:crypto";
import { FACADE_PREFIX } from "../handler/facade/paths";
import { AUTHORIZER_NAME, modelName, requestModelSchema } from "../infra/restApiDocument";
import { archiveFiles, restApiDocumentOf, runApi, runProgram, type OpenApi30, type Run } from "./harness";

const REST_API = "aws:apigateway/restApi:RestApi";
const PUT = "aws:apigateway/restApiPut:RestApiPut";
const FUNCTION = "aws:lambda/function:Function";
const EXECUTION_ARN = "arn:aws:execute-api:us-east-1:123456789012:mockapi";
const INVOKE_ARN = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:gpt-action-handler/invocations";

describe("GptActionApi", () => {
    let run: Run;
    let document: OpenApi30;
    before(async () => {
        run = await runProgram();
        document = restApiDocumentOf(run);
    });

    it("makes a REGIONAL REST API whose execute-api endpoint refuses TLS 1.0, like the custom domain", () => {
        // Unset, a Regional API's default endpoint takes TLS 1.0 (AWS: "Choose a security policy for your REST API
        // custom domain in API Gateway"); restApi.d.ts: securityPolicy "Must be configured for drift detection".
        // An enhanced policy (TLS 1.3 and 1.2) needs an endpoint access mode ("Security policies for REST APIs").
        expect(run.one(REST_API).inputs).to.deep.include({
            endpointConfiguration: { types: "REGIONAL" }, securityPolicy: "SecurityPolicy_TLS13_1_2_2021_06", endpointAccessMode: "BASIC",
        });
    });

    it("defines the API with one OpenAPI 3.0 document, imported whole and refused on any import warning", () => {
        const put = run.one(PUT).inputs;
        expect(put).to.deep.include({ restApiId: "mockapi", failOnWarnings: true });
        expect(document.openapi).to.equal("3.0.1");
        // PutRestApi renames the API after info.title and redescribes it after info.description: they are its own.
        expect(document.info).to.deep.include({ title: "gpt-action-api-mock", description: run.one(REST_API).inputs.description });
        // Nothing of the API is a resource of its own any more, so no route edit can clash with an old twin.
        for (const type of ["method:Method", "integration:Integration", "resource:Resource", "model:Model", "response:Response", "authorizer:Authorizer", "requestValidator:RequestValidator"]) {
            expect(run.all(`aws:apigateway/${type}`), type).to.be.empty;
        }
    });

    it("names the Cognito user pool as the authorizer, reading the Authorization header", () => {
        expect(document.components.securitySchemes[AUTHORIZER_NAME]).to.deep.equal({
            type: "apiKey",
            name: "Authorization",
            in: "header",
            "x-amazon-apigateway-authtype": "cognito_user_pools",
            "x-amazon-apigateway-authorizer": { type: "cognito_user_pools", providerARNs: ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_MockPool"] },
        });
    });

    it("serves exactly the route table, each route a Lambda proxy behind the authorizer with the configured scopes", () => {
        const served = Object.entries(document.paths).flatMap(([path, item]) => Object.entries(item)
            .filter(([method, op]) => method !== "options" && op["x-amazon-apigateway-integration"].type === "aws_proxy" && path !== "/mcp" && !path.startsWith(`${FACADE_PREFIX}/`))
            .map(([method, op]) => [method.toUpperCase(), path, op.operationId]));
        expect(served).to.have.deep.members(routeList().map((r) => [r.method, r.path, r.operationId]));
        for (const route of routeList()) {
            const operation = document.paths[route.path][route.method.toLowerCase()];
            expect(operation.security, route.operationId).to.deep.equal([{ [AUTHORIZER_NAME]: ["openid", "email", "profile"] }]);
            expect(operation["x-amazon-apigateway-integration"], route.operationId).to.deep.equal({
                type: "aws_proxy", httpMethod: "POST", uri: INVOKE_ARN, passthroughBehavior: "when_no_match",
            });
        }
    });

    it("validates each body against its route's model, whatever the Content-Type", () => {
        expect(document["x-amazon-apigateway-request-validators"]).to.deep.equal({ body: { validateRequestBody: true, validateRequestParameters: false } });
        const withBody = routeList().filter((r) => r.request !== undefined);
        expect(withBody).to.not.be.empty;
        expect(Object.keys(document.components.schemas)).to.have.members(withBody.map((r) => modelName(r.operationId)));
        for (const route of withBody) {
            const operation = document.paths[route.path][route.method.toLowerCase()];
            const ref = { schema: { $ref: `#/components/schemas/${modelName(route.operationId)}` } };
            // "$default" is the model for every content type the others miss ("Request validation for REST APIs").
            expect(operation.requestBody?.content, route.operationId).to.deep.equal({ "application/json": ref, $default: ref });
            expect(operation["x-amazon-apigateway-request-validator"]).to.equal("body");
            expect(document.components.schemas[modelName(route.operationId)]).to.deep.equal(requestModelSchema(route.request!));
        }
    });

    it("lets the function be invoked by this API's stage only, through one permission for every route", () => {
        expect(run.one("aws:lambda/permission:Permission", "gpt-action-permission").inputs).to.deep.equal({
            action: "lambda:InvokeFunction",
            function: "gpt-action-handler",
            principal: "apigateway.amazonaws.com",
            sourceArn: `${EXECUTION_ARN}/Prod/*/*`,
        });
    });

    it("answers CORS preflights without auth from a MOCK integration", () => {
        const options = document.paths["/my_route"].options;
        expect(options.security).to.be.undefined;
        const integration = options["x-amazon-apigateway-integration"];
        expect(integration).to.deep.include({
            type: "mock",
            requestTemplates: { "application/json": '{"statusCode": 200}' },
            passthroughBehavior: "when_no_templates",
        });
        const header = (h: string) => `method.response.header.Access-Control-Allow-${h}`;
        expect(Object.keys(options.responses["200"].headers ?? {})).to.have.members(["Access-Control-Allow-Headers", "Access-Control-Allow-Methods", "Access-Control-Allow-Origin"]);
        const params = integration.responses?.default.responseParameters ?? {};
        expect(integration.responses?.default.statusCode).to.equal("200");
        expect(params[header("Origin")]).to.equal("'*'");
        expect(params[header("Methods")]).to.equal("'POST,OPTIONS'");
        expect(params[header("Headers")]).to.include("Authorization");
        for (const path of new Set(routeList().map((r) => r.path))) {
            expect(document.paths[path], path).to.have.property("options");
        }
    });

    it("keeps API Gateway's {\"message\":\"Unauthorized\"} body, with CORS headers, for rejected tokens", async () => {
        const gptOnly = restApiDocumentOf(await runProgram({ mcp: "false" }))["x-amazon-apigateway-gateway-responses"].UNAUTHORIZED;
        expect(gptOnly.statusCode).to.equal(401);
        expect(gptOnly.responseTemplates).to.deep.equal({ "application/json": '{"message":$context.error.messageString}' });
        expect(gptOnly.responseParameters).to.deep.equal({
            "gatewayresponse.header.WWW-Authenticate": "'Bearer'",
            "gatewayresponse.header.Access-Control-Allow-Origin": "'*'",
            "gatewayresponse.header.Access-Control-Expose-Headers": "'WWW-Authenticate'",
        });
        expect(Object.keys(document["x-amazon-apigateway-gateway-responses"])).to.have.members(["UNAUTHORIZED", "ACCESS_DENIED", "BAD_REQUEST_BODY", "DEFAULT_4XX", "DEFAULT_5XX"]);
    });

    it("answers every gateway error with valid JSON, a refused body included", () => {
        // Gateway response templates get plain substitution: what API Gateway puts in must still parse.
        // $context.error.messageString is a quoted JSON string ("Invalid request body"); validationErrorString is not.
        for (const [type, response] of Object.entries(document["x-amazon-apigateway-gateway-responses"])) {
            const template = response.responseTemplates["application/json"];
            expect(template, type).to.not.include("validationErrorString");
            const body = template.replace(/\$context\.error\.messageString/g, JSON.stringify('Say "why"'));
            expect(JSON.parse(body), type).to.deep.equal({ message: 'Say "why"' });
        }
    });

    it("deploys only after the document is imported, and redeploys whenever it changes", () => {
        const deployment = run.one("aws:apigateway/deployment:Deployment");
        expect(run.dependenciesOf(deployment).some((urn) => urn.endsWith("::gpt-action-definition"))).to.be.true;
        const body = String(run.one(PUT).inputs.body);
        expect((deployment.inputs.triggers as Record<string, string>).redeployment).to.equal(createHash("sha256").update(body).digest("hex"));
        // A deployment deleted before its replacement exists would take the stage down with it.
        expect(run.isDeletedBeforeReplace(deployment)).to.be.false;
    });

    it("changes the deployment trigger when the API definition changes", async () => {
        const trigger = (r: Run) => (r.one("aws:apigateway/deployment:Deployment").inputs.triggers as Record<string, string>).redeployment;
        const same = await runProgram();
        const otherScopes = await runProgram({ scopes: "openid" });
        const noCors = await runProgram({ corsAllowOrigin: "" });
        expect(trigger(same)).to.equal(trigger(run));
        expect(trigger(otherScopes)).to.not.equal(trigger(run));
        expect(trigger(noCors)).to.not.equal(trigger(run));
    });

    it("refuses routes whose body models would share a name, before anything is deployed", async () => {
        const withBody = routeList().find((r) => r.request !== undefined);
        expect(withBody).to.not.be.undefined;
        const clash = [{ ...withBody!, operationId: "get_item", path: "/a" }, { ...withBody!, operationId: "getitem", path: "/b" }];
        let error: unknown;
        try {
            await runApi(clash);
        } catch (err) {
            error = err;
        }
        // CreateModel: "The name of the model. Must be alphanumeric."; names are unique per API.
        expect(String(error)).to.match(/get_item, getitem: their body models would both be named getitemBody/);
    });

    it("serves a separate stage of that deployment", () => {
        expect(run.one("aws:apigateway/stage:Stage").inputs).to.deep.include({
            restApi: "mockapi",
            deployment: "gpt-action-deployment-id",
            stageName: "Prod",
        });
    });

    it("runs the handler on Node.js 24, arm64, with the configured timeout and memory", () => {
        expect(run.one(FUNCTION, "-handler").inputs).to.deep.include({
            runtime: "nodejs24.x",
            architectures: ["arm64"],
            handler: "index.handler",
            timeout: 25,
            memorySize: 256,
            role: "arn:aws:iam::123456789012:role/gpt-action-handler-role",
        });
    });

    it("ships the esbuild bundle of handler/ (MCP in a file of its own) and the source maps", async () => {
        const files = await archiveFiles(run.one(FUNCTION, "-handler"));
        expect(Object.keys(files)).to.have.members(["index.js", "index.js.map", "mcp.js", "mcp.js.map"]);
        expect(files["index.js"]).to.include("postSuccess");
        expect(files["index.js"]).to.not.include("@pulumi");
        expect(JSON.parse(files["index.js.map"])).to.have.property("mappings");
    });

    it("writes logs to its own log group, with retention", () => {
        expect(run.one("aws:cloudwatch/logGroup:LogGroup", "handler-logs").inputs.retentionInDays).to.equal(30);
        expect(run.one(FUNCTION, "-handler").inputs.loggingConfig).to.deep.equal({ logFormat: "JSON", logGroup: "gpt-action-handler-logs" });
    });

    it("gives the function a role that may only write to that log group", () => {
        const trust = JSON.parse(String(run.one("aws:iam/role:Role", "handler-role").inputs.assumeRolePolicy)) as { Statement: unknown[] };
        expect(trust.Statement).to.deep.equal([{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }]);
        const policy = run.one("aws:iam/rolePolicy:RolePolicy", "handler-logs-policy");
        expect(policy.inputs.role).to.equal("gpt-action-handler-role");
        expect(JSON.parse(String(policy.inputs.policy))).to.deep.equal({
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                    Resource: "arn:aws:logs:us-east-1:123456789012:log-group:gpt-action-handler-logs:*",
                },
                // X-Ray's write actions support no resource-level permissions.
                { Effect: "Allow", Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Resource: "*" },
            ],
        });
        expect(run.all("aws:iam/rolePolicyAttachment:RolePolicyAttachment")).to.be.empty;
        expect(run.dependenciesOf(run.one(FUNCTION, "-handler")).some((urn) => urn.endsWith("::gpt-action-handler-logs-policy"))).to.be.true;
    });

    it("passes the app client id and CORS origin to the handler, and no secrets", () => {
        const env = (run.one(FUNCTION, "-handler").inputs.environment as { variables: Record<string, string> }).variables;
        expect(env).to.deep.equal({
            APP_CLIENT_ID: "mockclientid", MCP_CLIENT_ID: "mockmcpclientid", MCP_SHADOW_CLIENT_ID: "mockcimdclientid", CORS_ALLOW_ORIGIN: "*", NODE_OPTIONS: "--enable-source-maps",
        });
        expect(run.one(FUNCTION, "-handler").secretInputs).to.not.include("environment");
    });

    describe("with corsAllowOrigin empty", () => {
        let noCors: Run;
        before(async () => {
            noCors = await runProgram({ corsAllowOrigin: "" });
        });

        it("makes no OPTIONS method and no CORS headers, but on the OAuth token endpoints (as Cognito's, docs/tokens.md)", () => {
            const noCorsDocument = restApiDocumentOf(noCors);
            for (const [path, item] of Object.entries(noCorsDocument.paths)) {
                if (CORS_PATHS.includes(path)) {
                    expect(item, path).to.have.property("options");
                    continue;
                }
                expect(item, path).to.not.have.property("options");
                // Only the public metadata documents, which any origin may read, keep a CORS header.
                if (!path.startsWith("/.well-known/")) {
                    expect(JSON.stringify(item), path).to.not.include("Access-Control-Allow-Origin");
                }
            }
            for (const response of Object.values(noCorsDocument["x-amazon-apigateway-gateway-responses"])) {
                expect(response.responseParameters).to.not.have.property("gatewayresponse.header.Access-Control-Allow-Origin");
                expect(response.responseParameters).to.not.have.property("gatewayresponse.header.Access-Control-Expose-Headers");
            }
            const env = (noCors.one(FUNCTION, "-handler").inputs.environment as { variables: Record<string, string> }).variables;
            expect(env).to.not.have.property("CORS_ALLOW_ORIGIN");
        });
    });

    it("applies stageName, lambdaTimeout and lambdaMemory from config", async () => {
        const custom = await runProgram({ stageName: "v1", lambdaTimeout: "10", lambdaMemory: "512" });
        expect(custom.one("aws:apigateway/stage:Stage").inputs.stageName).to.equal("v1");
        expect(custom.one("aws:lambda/permission:Permission", "gpt-action-permission").inputs.sourceArn).to.equal(`${EXECUTION_ARN}/v1/*/*`);
        expect(custom.one(FUNCTION, "-handler").inputs).to.deep.include({ timeout: 10, memorySize: 512 });
    });
});
