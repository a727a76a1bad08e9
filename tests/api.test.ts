import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { routeList } from "../handler/routes";
import { deploymentDefinition, GptActionApi, modelNameClashes } from "../infra/api";
import { runProgram, runUnderMocks, type RecordedResource, type Run } from "./harness";

const METHOD = "aws:apigateway/method:Method";
const INTEGRATION = "aws:apigateway/integration:Integration";
const FUNCTION = "aws:lambda/function:Function";
const RESPONSE = "aws:apigateway/response:Response";
const EXECUTION_ARN = "arn:aws:execute-api:us-east-1:123456789012:mockapi";
/** Resources of the MCP surface (tests/mcpInfra.test.ts covers them), left out where a test counts the routes'. */
const isMcp = (r: RecordedResource) => /-mcp-|\/mcp|\.well-known|metadata/.test(r.name);
const INVOKE_ARN = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:gpt-action-handler/invocations";

/** The files of the Lambda's code archive, with their text. */
async function archiveFiles(fn: RecordedResource): Promise<Record<string, string>> {
    const archive = fn.inputs.code as pulumi.asset.AssetArchive;
    const assets = await archive.assets;
    const files: Record<string, string> = {};
    for (const [file, asset] of Object.entries(assets)) {
        files[file] = await (asset as pulumi.asset.StringAsset).text;
    }
    return files;
}

describe("GptActionApi", () => {
    let run: Run;
    before(async () => {
        run = await runProgram();
    });

    it("makes a REGIONAL REST API whose execute-api endpoint refuses TLS 1.0, like the custom domain", () => {
        // Unset, a Regional API's default endpoint takes TLS 1.0 (AWS: "Choose a security policy for your REST API
        // custom domain in API Gateway"); restApi.d.ts: securityPolicy "Must be configured for drift detection".
        expect(run.one("aws:apigateway/restApi:RestApi").inputs).to.deep.include({ endpointConfiguration: { types: "REGIONAL" }, securityPolicy: "TLS_1_2" });
    });

    it("makes a Cognito user-pool authorizer on the pool", () => {
        expect(run.one("aws:apigateway/authorizer:Authorizer").inputs).to.deep.include({
            restApi: "mockapi",
            type: "COGNITO_USER_POOLS",
            providerArns: ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_MockPool"],
            identitySource: "method.request.header.Authorization",
        });
    });

    it("serves POST /my_route behind the authorizer with the configured scopes", () => {
        expect(run.one("aws:apigateway/resource:Resource", "/my_route").inputs).to.deep.include({ restApi: "mockapi", parentId: "mockroot", pathPart: "my_route" });
        expect(run.one(METHOD, "postSuccess-method").inputs).to.deep.include({
            httpMethod: "POST",
            authorization: "COGNITO_USER_POOLS",
            authorizerId: "gpt-action-authorizer-id",
            authorizationScopes: ["openid", "email", "profile"],
        });
    });

    it("builds one resource per path segment, shared by routes under the same prefix", () => {
        const resources = run.all("aws:apigateway/resource:Resource").filter((r) => !isMcp(r)).map((r) => [r.name, r.inputs.parentId, r.inputs.pathPart]);
        // Every prefix of every route's path, e.g. /reports and /reports/sales, each under its parent's resource.
        const prefixes = new Set(routeList().flatMap((r) => r.path.split("/").slice(1).map((_, i, segments) => `/${segments.slice(0, i + 1).join("/")}`)));
        expect(resources).to.have.deep.members([...prefixes].map((prefix) => {
            const parent = prefix.slice(0, prefix.lastIndexOf("/"));
            return [`gpt-action-resource${prefix}`, parent === "" ? "mockroot" : `gpt-action-resource${parent}-id`, prefix.slice(parent.length + 1)];
        }));
        expect(resources).to.deep.include.members([["gpt-action-resource/reports/sales", "gpt-action-resource/reports-id", "sales"]]);
    });

    it("puts every non-OPTIONS method behind the authorizer with scopes", () => {
        const methods = run.all(METHOD).filter((m) => m.inputs.httpMethod !== "OPTIONS" && !isMcp(m));
        expect(methods).to.have.lengthOf(routeList().length);
        for (const method of methods) {
            expect(method.inputs.authorization, method.name).to.equal("COGNITO_USER_POOLS");
            expect(method.inputs.authorizerId, method.name).to.equal("gpt-action-authorizer-id");
            expect(method.inputs.authorizationScopes, method.name).to.not.be.empty;
        }
    });

    it("proxies each route to the Lambda", () => {
        expect(run.one(INTEGRATION, "postSuccess-integration").inputs).to.deep.include({
            httpMethod: "POST",
            type: "AWS_PROXY",
            integrationHttpMethod: "POST",
            uri: INVOKE_ARN,
        });
    });

    it("lets only this stage, method and path invoke the function, one permission per route", () => {
        expect(run.one("aws:lambda/permission:Permission", "postSuccess-permission").inputs).to.deep.equal({
            action: "lambda:InvokeFunction",
            function: "gpt-action-handler",
            principal: "apigateway.amazonaws.com",
            sourceArn: `${EXECUTION_ARN}/Prod/POST/my_route`,
        });
        expect(run.one("aws:lambda/permission:Permission", "getSalesReport-permission").inputs.sourceArn).to.equal(`${EXECUTION_ARN}/Prod/POST/reports/sales`);
        expect(run.all("aws:lambda/permission:Permission").filter((p) => !isMcp(p))).to.have.lengthOf(routeList().length);
    });

    it("answers CORS preflights without auth from a MOCK integration", () => {
        const options = run.one(METHOD, "options/my_route-method");
        expect(options.inputs).to.deep.include({ httpMethod: "OPTIONS", authorization: "NONE" });
        expect(options.inputs.authorizerId).to.be.undefined;
        expect(run.one(INTEGRATION, "options/my_route-integration").inputs).to.deep.include({
            type: "MOCK",
            requestTemplates: { "application/json": '{"statusCode": 200}' },
            // integration.d.ts: passthroughBehavior is "Required if requestTemplates is used".
            passthroughBehavior: "WHEN_NO_TEMPLATES",
        });
        const header = (h: string) => `method.response.header.Access-Control-Allow-${h}`;
        expect(run.one("aws:apigateway/methodResponse:MethodResponse", "options/my_route-method-response").inputs).to.deep.include({
            httpMethod: "OPTIONS",
            statusCode: "200",
            responseParameters: { [header("Headers")]: true, [header("Methods")]: true, [header("Origin")]: true },
        });
        const integrationResponse = run.one("aws:apigateway/integrationResponse:IntegrationResponse", "options/my_route-integration-response");
        expect(integrationResponse.inputs).to.deep.include({ httpMethod: "OPTIONS", statusCode: "200" });
        const params = integrationResponse.inputs.responseParameters as Record<string, string>;
        expect(params[header("Origin")]).to.equal("'*'");
        expect(params[header("Methods")]).to.equal("'POST,OPTIONS'");
        expect(params[header("Headers")]).to.include("Authorization");
        expect(run.dependenciesOf(integrationResponse).some((urn) => urn.endsWith("::gpt-action-options/my_route-integration"))).to.be.true;
    });

    it("keeps API Gateway's {\"message\":\"Unauthorized\"} body, with CORS headers, for rejected tokens", async () => {
        const gptOnly = (await runProgram({ mcp: "false" })).one(RESPONSE, "-unauthorized").inputs;
        expect(gptOnly).to.deep.include({ restApiId: "mockapi", responseType: "UNAUTHORIZED", statusCode: "401" });
        expect(gptOnly.responseTemplates).to.deep.equal({ "application/json": '{"message":$context.error.messageString}' });
        expect(gptOnly.responseParameters).to.deep.equal({
            "gatewayresponse.header.WWW-Authenticate": "'Bearer'",
            "gatewayresponse.header.Access-Control-Allow-Origin": "'*'",
            "gatewayresponse.header.Access-Control-Expose-Headers": "'WWW-Authenticate'",
        });
        expect(run.all(RESPONSE).map((r) => r.inputs.responseType)).to.have.members(["UNAUTHORIZED", "ACCESS_DENIED", "BAD_REQUEST_BODY", "DEFAULT_4XX", "DEFAULT_5XX"]);
        for (const response of run.all(RESPONSE)) {
            expect(JSON.stringify(response.inputs.responseTemplates), response.name).to.include("$context.error.messageString");
        }
    });

    it("deploys only after every method and integration exists, redeploying when they change", () => {
        const deployment = run.one("aws:apigateway/deployment:Deployment");
        const dependencies = run.dependenciesOf(deployment);
        const urn = (r: RecordedResource) => dependencies.some((d) => d.endsWith(`::${r.name}`) && d.includes(r.type));
        for (const r of [...run.all(METHOD), ...run.all(INTEGRATION), ...run.all(RESPONSE)]) {
            expect(urn(r), r.name).to.be.true;
        }
        expect((deployment.inputs.triggers as Record<string, string>).redeployment).to.match(/^[0-9a-f]{64}$/);
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

    it("hashes every static value the snapshot carries into the trigger: templates, headers, validator settings", async () => {
        // A value a deployed resource carries but the trigger misses would leave the stage serving the old one after
        // an edit to the code. Values with a URL come from the MCP documents and challenge, hashed as Outputs.
        const everything = await runProgram({ corsAllowOrigin: "https://chat.openai.com", mcp: "true" });
        const routes = routeList();
        const definition = deploymentDefinition(routes, "https://chat.openai.com", true);
        const values = (r: RecordedResource, key: string) => Object.values((r.inputs[key] ?? {}) as Record<string, unknown>);
        const carried = [
            ...everything.all(RESPONSE).flatMap((r) => [...values(r, "responseTemplates"), ...values(r, "responseParameters")]),
            ...everything.all("aws:apigateway/integrationResponse:IntegrationResponse").flatMap((r) => values(r, "responseParameters")),
            ...everything.all(INTEGRATION).flatMap((r) => [...values(r, "requestTemplates"), r.inputs.passthroughBehavior]),
            ...everything.all("aws:apigateway/requestValidator:RequestValidator").flatMap((r) => [r.inputs.validateRequestBody, r.inputs.validateRequestParameters]),
        ].filter((v): v is string | boolean => typeof v === "string" || typeof v === "boolean").map(String).filter((v) => !v.includes("https://"));
        expect(carried.length).to.be.greaterThan(10);
        for (const value of carried) {
            // Static header values are quoted ('…'); the definition holds them as written, or the parts they join.
            const parts = value.replace(/^'|'$/g, "").split(",").filter((p) => p !== "OPTIONS" && !routes.some((r) => r.method === p));
            for (const part of parts) {
                expect(definition, value).to.include(JSON.stringify(part).slice(1, -1));
            }
        }
    });

    it("refuses routes whose body models would share a name, before anything is deployed", async () => {
        const withBody = routeList().find((r) => r.request !== undefined);
        expect(withBody).to.not.be.undefined;
        const clash = [{ ...withBody!, operationId: "get_item", path: "/a" }, { ...withBody!, operationId: "getitem", path: "/b" }];
        expect(modelNameClashes(clash)).to.have.lengthOf(1);
        expect(modelNameClashes(routeList())).to.deep.equal([]);
        let error: unknown;
        try {
            await runUnderMocks(() => new GptActionApi("gpt-action", {
                userPoolArn: "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_MockPool",
                appClientId: "mockclientid",
                scopes: ["openid"],
                routes: clash,
            }));
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

    it("runs the handler on Node.js 22, arm64, with the configured timeout and memory", () => {
        expect(run.one(FUNCTION).inputs).to.deep.include({
            runtime: "nodejs22.x",
            architectures: ["arm64"],
            handler: "index.handler",
            timeout: 25,
            memorySize: 256,
            role: "arn:aws:iam::123456789012:role/gpt-action-handler-role",
        });
    });

    it("ships the esbuild bundle of handler/ (MCP in a file of its own) and the source maps", async () => {
        const files = await archiveFiles(run.one(FUNCTION));
        expect(Object.keys(files)).to.have.members(["index.js", "index.js.map", "mcp.js", "mcp.js.map"]);
        expect(files["index.js"]).to.include("postSuccess");
        expect(files["index.js"]).to.not.include("@pulumi");
        expect(JSON.parse(files["index.js.map"])).to.have.property("mappings");
    });

    it("writes logs to its own log group, with retention", () => {
        expect(run.one("aws:cloudwatch/logGroup:LogGroup", "handler-logs").inputs.retentionInDays).to.equal(30);
        expect(run.one(FUNCTION).inputs.loggingConfig).to.deep.equal({ logFormat: "JSON", logGroup: "gpt-action-handler-logs" });
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
        expect(run.dependenciesOf(run.one(FUNCTION)).some((urn) => urn.endsWith("::gpt-action-handler-logs-policy"))).to.be.true;
    });

    it("passes the app client id and CORS origin to the handler, and no secrets", () => {
        const env = (run.one(FUNCTION).inputs.environment as { variables: Record<string, string> }).variables;
        expect(env).to.deep.equal({ APP_CLIENT_ID: "mockclientid", MCP_CLIENT_ID: "mockmcpclientid", CORS_ALLOW_ORIGIN: "*", NODE_OPTIONS: "--enable-source-maps" });
    });

    describe("with corsAllowOrigin empty", () => {
        let noCors: Run;
        before(async () => {
            noCors = await runProgram({ corsAllowOrigin: "" });
        });

        it("makes no OPTIONS method and no CORS headers", () => {
            expect(noCors.all(METHOD).map((m) => m.inputs.httpMethod)).to.not.include("OPTIONS");
            // Only the public metadata documents, which any origin may read, keep a CORS header.
            for (const response of noCors.all("aws:apigateway/integrationResponse:IntegrationResponse")) {
                expect(response.name, response.name).to.include("-metadata/.well-known/");
            }
            for (const response of noCors.all(RESPONSE)) {
                expect(response.inputs.responseParameters ?? {}).to.not.have.property("gatewayresponse.header.Access-Control-Allow-Origin");
                expect(response.inputs.responseParameters ?? {}).to.not.have.property("gatewayresponse.header.Access-Control-Expose-Headers");
            }
            const env = (noCors.one(FUNCTION).inputs.environment as { variables: Record<string, string> }).variables;
            expect(env).to.not.have.property("CORS_ALLOW_ORIGIN");
        });
    });

    it("applies stageName, lambdaTimeout and lambdaMemory from config", async () => {
        const custom = await runProgram({ stageName: "v1", lambdaTimeout: "10", lambdaMemory: "512" });
        expect(custom.one("aws:apigateway/stage:Stage").inputs.stageName).to.equal("v1");
        expect(custom.one("aws:lambda/permission:Permission", "postSuccess-permission").inputs.sourceArn).to.equal(`${EXECUTION_ARN}/v1/POST/my_route`);
        expect(custom.one(FUNCTION).inputs).to.deep.include({ timeout: 10, memorySize: 512 });
    });
});
