/**
 * The policy pack, run in-process: each policy's validateResource (and the stack policy's validateStack) over
 * the resources recorded by the mocks, as CrossGuard would call them during `pulumi preview`.
 */
import type { PolicyResource, ReportViolation, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { expect } from "chai";
import { routeList } from "../handler/routes";
import { AUTHORIZER_NAME, GATEWAY_RESPONSES } from "../infra/restApiDocument";
import { executeApiSourceArnProblem, grantStatementProblem, resourcePolicies, stackPolicies, statementProblem } from "../policy/policies";
import { EVERYTHING_OFF, EVERYTHING_ON, restApiDocumentOf, runProgram, type OpenApi30, type RecordedResource } from "./harness";
import { withAccess } from "./routeAccess";

interface Violation { readonly policy: string; readonly resource: string; readonly message: string }

class NotApplicable extends Error {}

/** What CrossGuard hands a policy for one resource. */
function policyArgs(resource: { type: string; name: string; inputs: Record<string, unknown> }, config: Record<string, unknown> = {}): ResourceValidationArgs & PolicyResource {
    const isType = (cls: { __pulumiType?: string }) => cls.__pulumiType === resource.type;
    return {
        type: resource.type,
        props: resource.inputs,
        urn: `urn:pulumi:dev::gpt-action::${resource.type}::${resource.name}`,
        name: resource.name,
        opts: { protect: false, ignoreChanges: [], aliases: [], additionalSecretOutputs: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 } },
        stackTags: new Map(),
        isType: isType as ResourceValidationArgs["isType"],
        asType: ((cls: { __pulumiType?: string }) => (isType(cls) ? resource.inputs : undefined)) as ResourceValidationArgs["asType"],
        getConfig: () => config as never,
        notApplicable: (reason?: string) => { throw new NotApplicable(reason); },
        protect: false,
        ignoreChanges: [],
        resource: undefined as never,
        dependencies: [],
        propertyDependencies: {},
    } as unknown as ResourceValidationArgs & PolicyResource;
}

/** Every violation the pack reports for `resources`, with `config` as every policy's policy config. */
async function violations(resources: ReadonlyArray<{ type: string; name: string; inputs: Record<string, unknown> }>, config: Record<string, unknown> = {}): Promise<Violation[]> {
    const found: Violation[] = [];
    for (const policy of resourcePolicies) {
        const validations = (Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource])
            .filter((v) => v !== undefined);
        for (const resource of resources) {
            const report: ReportViolation = (message) => found.push({ policy: policy.name, resource: resource.name, message });
            for (const validate of validations) {
                try {
                    await validate(policyArgs(resource, config), report);
                } catch (error) {
                    if (!(error instanceof NotApplicable)) {
                        throw error;
                    }
                }
            }
        }
    }
    for (const policy of stackPolicies) {
        const args = {
            resources: resources.map((r) => policyArgs(r, config)),
            getConfig: () => config,
            notApplicable: (reason?: string) => { throw new NotApplicable(reason); },
        } as unknown as StackValidationArgs;
        try {
            await policy.validateStack(args, (message, urn) => found.push({ policy: policy.name, resource: urn ?? "stack", message }));
        } catch (error) {
            if (!(error instanceof NotApplicable)) {
                throw error;
            }
        }
    }
    return found;
}

const fixture = (type: string, inputs: Record<string, unknown>): RecordedResource => ({ type, name: "fixture", inputs, secretInputs: [] });

const TABLE_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/sales";

const ALLOWED = { allowedCorsOrigin: "https://chatgpt.com" };

/** A Cognito user-pool security scheme, as infra/restApiDocument.ts writes it. */
const COGNITO_SCHEME = {
    type: "apiKey", name: "Authorization", in: "header", "x-amazon-apigateway-authtype": "cognito_user_pools",
    "x-amazon-apigateway-authorizer": { type: "cognito_user_pools", providerARNs: ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/p"] },
};
/** A Lambda (TOKEN) authorizer's scheme: not Cognito. */
const LAMBDA_SCHEME = {
    type: "apiKey", name: "Authorization", in: "header", "x-amazon-apigateway-authtype": "custom",
    "x-amazon-apigateway-authorizer": { type: "token", authorizerUri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/a/invocations" },
};
/** API Gateway's API key. */
const API_KEY_SCHEME = { type: "apiKey", name: "x-api-key", in: "header" };

const PROXY = { type: "aws_proxy", httpMethod: "POST", uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/f/invocations" };

/** A MOCK integration answering 200 with these static headers. */
const mock = (headers: Record<string, string>) => ({
    type: "mock",
    requestTemplates: { "application/json": '{"statusCode": 200}' },
    responses: { default: { statusCode: "200", responseParameters: Object.fromEntries(Object.entries(headers).map(([h, v]) => [`method.response.header.${h}`, `'${v}'`])) } },
});

/** An OpenAPI document with `paths`, `schemes` (by default, Cognito's) and other top-level members. */
const apiDocument = (paths: Record<string, Record<string, unknown>>, extra: Record<string, unknown> = {}, schemes: Record<string, unknown> = { Cognito: COGNITO_SCHEME }) =>
    ({ openapi: "3.0.1", info: { title: "t", version: "1" }, paths, components: { securitySchemes: schemes }, ...extra });

/** A RestApiPut importing `document`: text as given, anything else as JSON. */
const restApiPut = (document: unknown) =>
    fixture("aws:apigateway/restApiPut:RestApiPut", { restApiId: "a", body: typeof document === "string" ? document : JSON.stringify(document) });

/** A RestApiPut whose one operation, GET /a, reaches the function and has `operation`'s members. */
const oneOperation = (operation: Record<string, unknown>, schemes?: Record<string, unknown>) =>
    restApiPut(apiDocument({ "/a": { get: { responses: {}, "x-amazon-apigateway-integration": PROXY, ...operation } } }, {}, schemes));

/** A Lambda permission for API Gateway from `sourceArn`. */
const permission = (sourceArn: string) => fixture("aws:lambda/permission:Permission", { principal: "apigateway.amazonaws.com", action: "lambda:InvokeFunction", function: "f", sourceArn });

/** The default stack's resources, its REST API document changed by `edit`. */
async function defaultStackWith(edit: (document: OpenApi30) => void): Promise<RecordedResource[]> {
    const run = await runProgram();
    const document = restApiDocumentOf(run);
    edit(document);
    return run.resources.map((r) => (r.type === "aws:apigateway/restApiPut:RestApiPut" ? { ...r, inputs: { ...r.inputs, body: JSON.stringify(document) } } : r));
}

/** "METHOD path" of every operation the default stack sends to the function: each route, and /mcp (ANY). */
const FUNCTION_OPERATIONS = [...routeList().map((r) => `${r.method} ${r.path}`), "ANY /mcp"].sort();

describe("policy pack", () => {
    it("finds no violation in the default stack", async () => {
        expect(await violations((await runProgram()).resources)).to.deep.equal([]);
    });

    it("finds no violation with everything switched on", async () => {
        expect(await violations((await runProgram(EVERYTHING_ON)).resources)).to.deep.equal([]);
    });

    it("finds no violation with a VPC, custom domains and an identity provider", async () => {
        const run = await runProgram({
            vpc: JSON.stringify({ create: true }),
            customDomain: JSON.stringify({ zone: "example.com" }),
            identityProviders: JSON.stringify([{ type: "saml", name: "Corp", metadataUrl: "https://idp.example.com/metadata.xml" }]),
        });
        expect(await violations(run.resources)).to.deep.equal([]);
    });

    it("finds no violation with the routes' grants in the role policy, a wildcard one that says why included", async () => {
        const run = await withAccess({
            getSalesReport: { groups: ["finance"], grants: [{ actions: ["dynamodb:GetItem"], resources: [TABLE_ARN] }] },
            postSuccess: { grants: [{ actions: ["s3:GetObject"], resources: ["*"], allowWildcard: "reads whichever bucket the user names" }] },
        }, async () => {
            const resources = (await runProgram()).resources;
            return violations(resources);
        });
        expect(run).to.deep.equal([]);
    });

    it("finds no violation with a public MCP client", async () => {
        expect(await violations((await runProgram({ mcpPublicClient: "true" })).resources)).to.deep.equal([]);
    });

    it("finds no violation when the stack's CORS origin is the one the policy config allows, the public discovery documents keeping \"*\"", async () => {
        const run = await runProgram({ corsAllowOrigin: "https://chatgpt.com" });
        expect(await violations(run.resources, { allowedCorsOrigin: "https://chatgpt.com" })).to.deep.equal([]);
        // CORS off sends no origin at all, which no config forbids.
        expect(await violations((await runProgram({ corsAllowOrigin: "" })).resources, { allowedCorsOrigin: "https://chatgpt.com" })).to.deep.equal([]);
    });

    it("flags every \"*\" of the default stack but the discovery documents' when the policy config asks for one origin", async () => {
        const found = await violations((await runProgram()).resources, ALLOWED);
        expect(new Set(found.map((v) => v.policy))).to.deep.equal(new Set(["cors-origin-as-configured"]));
        expect(found.every((v) => /origin \*; the policy config allows only https:\/\/chatgpt\.com/.test(v.message))).to.be.true;
        // Every gateway response, every path's preflight (the routes' and /mcp's), and the function; not the public documents.
        const preflights = [...new Set([...routeList().map((r) => r.path), "/mcp"])].map((path) => `The OPTIONS ${path} integration response default`);
        const expected = [...Object.keys(GATEWAY_RESPONSES).map((type) => `Gateway response ${type}`), ...preflights, "The function's CORS_ALLOW_ORIGIN"];
        expect(found.map((v) => v.message.replace(/ allows the origin .*/, "")).sort()).to.deep.equal(expected.sort());
        expect(found.filter((v) => v.resource.endsWith("gpt-action-handler"))).to.have.length(1);
    });

    it("flags only the missing access logs with everything switched off", async () => {
        const found = await violations((await runProgram(EVERYTHING_OFF)).resources);
        expect(found.map((v) => `${v.policy} ${v.resource}`)).to.deep.equal(["stages-have-access-logs gpt-action-stage"]);
    });

    describe("the REST API's OpenAPI document", () => {
        it("passes operations behind Cognito with scopes (an API key on top too), preflights, and public MOCK documents with \"*\"", async () => {
            const document = apiDocument({
                "/a": {
                    get: { security: [{ Cognito: ["s"] }], responses: {}, "x-amazon-apigateway-integration": PROXY },
                    options: { responses: {}, "x-amazon-apigateway-integration": mock({ "Access-Control-Allow-Origin": "https://chatgpt.com" }) },
                },
                "/mcp": { "x-amazon-apigateway-any-method": { security: [{ Cognito: ["s"], ApiKey: [] }], responses: {}, "x-amazon-apigateway-integration": PROXY } },
                // An OPTIONS that reaches the function is exempt as well: a preflight carries no token.
                "/b": { options: { responses: {}, "x-amazon-apigateway-integration": PROXY } },
                "/.well-known/doc": { get: { responses: {}, "x-amazon-apigateway-integration": mock({ "Access-Control-Allow-Origin": "*" }) } },
            }, {
                "x-amazon-apigateway-gateway-responses": { DEFAULT_4XX: { responseParameters: { "gatewayresponse.header.Access-Control-Allow-Origin": "'https://chatgpt.com'" } } },
            }, { Cognito: COGNITO_SCHEME, ApiKey: API_KEY_SCHEME });
            expect(await violations([restApiPut(document)], ALLOWED)).to.deep.equal([]);
            expect(await violations([fixture("aws:apigateway/restApi:RestApi", { body: JSON.stringify(document) })], ALLOWED)).to.deep.equal([]);
        });

        /** "METHOD path" of each violation of api-methods-require-cognito-scopes whose message matches `pattern`. */
        const flaggedOperations = (found: Violation[], pattern: RegExp) =>
            found.filter((v) => v.policy === "api-methods-require-cognito-scopes").map((v) => pattern.exec(v.message)?.[1]).sort();

        it("flags each of the default stack's function operations once when none has security", async () => {
            const resources = await defaultStackWith((document) => {
                for (const operations of Object.values(document.paths)) {
                    for (const [method, operation] of Object.entries(operations)) {
                        operations[method] = { ...operation, security: undefined };
                    }
                }
            });
            const found = await violations(resources);
            expect(found).to.have.length(FUNCTION_OPERATIONS.length);
            expect(flaggedOperations(found, /^(\S+ \S+) has no authorization/)).to.deep.equal(FUNCTION_OPERATIONS);
        });

        it("exempts the OAuth facade's endpoints at their exact paths and methods only", async () => {
            const resources = await defaultStackWith((document) => {
                const authorize = document.paths["/oauth/authorize"].get;
                // The same public function, at another method of a facade path and at another path under /oauth.
                document.paths["/oauth/authorize"].post = authorize;
                document.paths["/oauth/other"] = { get: authorize };
            });
            const found = await violations(resources);
            expect(flaggedOperations(found, /^(\S+ \S+) has no authorization/)).to.deep.equal(["GET /oauth/other", "POST /oauth/authorize"]);
        });

        it("flags each of the default stack's function operations once when their scope lists are empty", async () => {
            const resources = await defaultStackWith((document) => {
                for (const operations of Object.values(document.paths)) {
                    for (const [method, operation] of Object.entries(operations)) {
                        operations[method] = { ...operation, ...(operation.security === undefined ? {} : { security: [{ [AUTHORIZER_NAME]: [] }] }) };
                    }
                }
            });
            const found = await violations(resources);
            expect(found).to.have.length(FUNCTION_OPERATIONS.length);
            expect(flaggedOperations(found, new RegExp(`^(\\S+ \\S+): the security scheme ${AUTHORIZER_NAME} requires no OAuth scopes`))).to.deep.equal(FUNCTION_OPERATIONS);
        });

        it("flags each of the default stack's function operations once when its security scheme is not Cognito's", async () => {
            const resources = await defaultStackWith((document) => {
                document.components.securitySchemes[AUTHORIZER_NAME] = LAMBDA_SCHEME;
            });
            const found = await violations(resources);
            expect(found).to.have.length(FUNCTION_OPERATIONS.length);
            expect(flaggedOperations(found, /^(\S+ \S+): the security scheme \S+ is not a Cognito user-pool authorizer/)).to.deep.equal(FUNCTION_OPERATIONS);
        });

        it("flags a body it cannot read in both API policies", async () => {
            const found = await violations([restApiPut("{not json")], ALLOWED);
            expect(found.map((v) => v.policy).sort()).to.deep.equal(["api-methods-require-cognito-scopes", "cors-origin-as-configured"]);
            expect(found.every((v) => /RestApiPut fixture: its body is not an OpenAPI document in JSON/.test(v.message))).to.be.true;
        });
    });

    describe("the Lambda permission's sourceArn", () => {
        it("passes one stage of one API, for every method and path or one of each", () => {
            for (const arn of [
                "arn:aws:execute-api:us-east-1:123456789012:mockapi/Prod/*/*",
                "arn:aws:execute-api:us-east-1:123456789012:mockapi/Prod/GET/reports/sales",
                "arn:aws-cn:execute-api:cn-north-1:123456789012:abc123/test_stage-2/POST/*",
            ]) {
                expect(executeApiSourceArnProblem(arn), arn).to.be.undefined;
            }
        });

        it("leaves other principals' source ARNs alone", async () => {
            const rule = fixture("aws:lambda/permission:Permission", { principal: "events.amazonaws.com", function: "f", sourceArn: "arn:aws:events:us-east-1:123456789012:rule/*" });
            expect(await violations([rule])).to.deep.equal([]);
        });
    });

    describe("each policy can fail", () => {
        /** An app client as this stack makes it, with `overrides`. */
        const client = (overrides: Record<string, unknown>) => fixture("aws:cognito/userPoolClient:UserPoolClient", {
            generateSecret: true, allowedOauthFlowsUserPoolClient: true, allowedOauthFlows: ["code"], allowedOauthScopes: ["openid"],
            callbackUrls: ["https://chatgpt.com/cb"], preventUserExistenceErrors: "ENABLED", explicitAuthFlows: ["ALLOW_REFRESH_TOKEN_AUTH"],
            accessTokenValidity: 60, idTokenValidity: 60, refreshTokenValidity: 30,
            tokenValidityUnits: { accessToken: "minutes", idToken: "minutes", refreshToken: "days" }, enableTokenRevocation: true,
            ...overrides,
        });
        const settings = (overrides: Record<string, unknown>) => fixture("aws:apigateway/methodSettings:MethodSettings", {
            restApi: "a", stageName: "Prod", methodPath: "*/*", settings: { throttlingRateLimit: 1, throttlingBurstLimit: 5, ...overrides },
        });
        const failing: Array<[string, RecordedResource[], RegExp, Record<string, unknown>?]> = [
            // Standalone Method resources, which a user could still add beside the document.
            ["api-methods-require-cognito-scopes", [fixture("aws:apigateway/method:Method", { httpMethod: "POST", authorization: "NONE" })], /The POST method has no authorization/],
            // Public only when API Gateway answers it itself: a function behind an open GET is flagged.
            ["api-methods-require-cognito-scopes", [
                fixture("aws:apigateway/method:Method", { restApi: "a", resourceId: "r", httpMethod: "GET", authorization: "NONE" }),
                fixture("aws:apigateway/integration:Integration", { restApi: "a", resourceId: "r", httpMethod: "GET", type: "AWS_PROXY" }),
                fixture("aws:apigateway/integration:Integration", { restApi: "a", resourceId: "other", httpMethod: "GET", type: "MOCK" }),
            ], /The GET method has no authorization/],
            ["api-methods-require-cognito-scopes", [fixture("aws:apigateway/method:Method", { httpMethod: "GET", authorization: "COGNITO_USER_POOLS", authorizerId: "a", authorizationScopes: [] })], /its Cognito authorizer requires no OAuth scopes/],
            ["api-methods-require-cognito-scopes", [fixture("aws:apigateway/method:Method", { httpMethod: "GET", authorization: "AWS_IAM" })], /authorization "AWS_IAM" is not a Cognito user-pool authorizer/],
            // Operations of a document.
            ["api-methods-require-cognito-scopes", [oneOperation({})], /GET \/a has no authorization; put it behind the Cognito authorizer/],
            ["api-methods-require-cognito-scopes", [oneOperation({ security: [] })], /GET \/a has no authorization/],
            ["api-methods-require-cognito-scopes", [oneOperation({ security: [{ Cognito: [] }] })], /GET \/a: the security scheme Cognito requires no OAuth scopes; without scopes API Gateway also accepts ID tokens/],
            ["api-methods-require-cognito-scopes", [oneOperation({ security: [{ Cognito: [""] }] })], /requires no OAuth scopes/],
            ["api-methods-require-cognito-scopes", [oneOperation({ security: [{ Lambda: ["s"] }] }, { Lambda: LAMBDA_SCHEME })], /GET \/a: the security scheme Lambda is not a Cognito user-pool authorizer/],
            // A Cognito authorizer that x-amazon-apigateway-authtype contradicts, or an authtype without the authorizer, is no Cognito authorizer.
            ["api-methods-require-cognito-scopes", [oneOperation({ security: [{ Cognito: ["s"] }] }, { Cognito: { ...COGNITO_SCHEME, "x-amazon-apigateway-authtype": "custom" } })], /Cognito is not a Cognito user-pool authorizer/],
            ["api-methods-require-cognito-scopes", [oneOperation({ security: [{ Cognito: ["s"] }] }, { Cognito: { type: "apiKey", name: "Authorization", in: "header", "x-amazon-apigateway-authtype": "cognito_user_pools" } })], /Cognito is not a Cognito user-pool authorizer/],
            ["api-methods-require-cognito-scopes", [oneOperation({ security: [{ Typo: ["s"] }] })], /the undefined security scheme Typo is not a Cognito user-pool authorizer/],
            // Alternatives: one open alternative opens the method; an API key alone is no authorizer.
            ["api-methods-require-cognito-scopes", [oneOperation({ security: [{ Cognito: ["s"] }, {}] })], /GET \/a lets requests in without authorization \(an empty security requirement\)/],
            ["api-methods-require-cognito-scopes", [oneOperation({ security: [{ ApiKey: [] }] }, { ApiKey: API_KEY_SCHEME })], /GET \/a asks only for an API key/],
            // API Gateway ignores the document-level security, so it protects nothing.
            ["api-methods-require-cognito-scopes", [restApiPut(apiDocument({ "/a": { get: { responses: {}, "x-amazon-apigateway-integration": PROXY } } }, { security: [{ Cognito: ["s"] }] }))], /GET \/a has no authorization/],
            ["api-methods-require-cognito-scopes", [restApiPut(apiDocument({ "/mcp": { "x-amazon-apigateway-any-method": { responses: {}, "x-amazon-apigateway-integration": PROXY } } }))], /ANY \/mcp has no authorization/],
            ["api-methods-require-cognito-scopes", [fixture("aws:apigateway/restApi:RestApi", { body: JSON.stringify(apiDocument({ "/a": { post: { responses: {}, "x-amazon-apigateway-integration": PROXY } } })) })], /POST \/a has no authorization/],
            ["api-methods-require-cognito-scopes", [restApiPut("{not json")], /RestApiPut fixture: its body is not an OpenAPI document in JSON \(a JSON object\), so it cannot be checked/],
            ["api-methods-require-cognito-scopes", [restApiPut("[]")], /not an OpenAPI document in JSON/],
            ["api-methods-require-cognito-scopes", [fixture("aws:apigateway/restApiPut:RestApiPut", { restApiId: "a" })], /not an OpenAPI document in JSON/],
            ["api-methods-require-cognito-scopes", [fixture("aws:apigateway/restApi:RestApi", { body: "openapi: 3.0.1" })], /RestApi fixture: its body is not an OpenAPI document in JSON/],
            ["api-methods-require-cognito-scopes", [restApiPut(apiDocument({ "/a": { $ref: "#/components/pathItems/a" } }))], /path \/a is not an inline Path Item object/],
            ["user-pool-no-self-sign-up", [fixture("aws:cognito/userPool:UserPool", { adminCreateUserConfig: { allowAdminCreateUserOnly: false } })], /anyone sign up/],
            ["callback-urls-https", [client({ callbackUrls: ["http://example.com/cb"] })], /https/],
            ["app-client-code-flow-only", [client({ allowedOauthFlows: ["code", "implicit"] })], /implicit/],
            ["lambda-permission-source-arn", [fixture("aws:lambda/permission:Permission", { principal: "apigateway.amazonaws.com", action: "lambda:InvokeFunction", function: "f" })], /set sourceArn/],
            ["lambda-permission-source-arn", [permission("arn:aws:execute-api:us-east-1:123456789012:*/*/*")], /does not name one API \(API id "\*"\), so any API could invoke the function/],
            ["lambda-permission-source-arn", [permission("arn:aws:execute-api:us-east-1:123456789012:*")], /does not name one API/],
            ["lambda-permission-source-arn", [permission("arn:aws:execute-api:us-east-1:123456789012:mockapi/*")], /does not name one stage \(stage "\*"\), so every stage could invoke the function/],
            ["lambda-permission-source-arn", [permission("arn:aws:execute-api:us-east-1:123456789012:mockapi/*/*/*")], /does not name one stage/],
            ["lambda-permission-source-arn", [permission("arn:aws:execute-api:us-east-1:123456789012:mockapi/Pr?d/*/*")], /does not name one stage/],
            ["lambda-permission-source-arn", [permission("arn:aws:execute-api:us-east-1:123456789012:mockapi//*/*")], /does not name one stage/],
            ["lambda-permission-source-arn", [permission("arn:aws:execute-api:us-east-1:123456789012:mockapi/Prod")], /names no method and path/],
            ["lambda-permission-source-arn", [permission("arn:aws:execute-api:*:123456789012:mockapi/Prod/*/*")], /does not name one region and account/],
            ["lambda-permission-source-arn", [permission("arn:aws:execute-api:us-east-1:*:mockapi/Prod/*/*")], /does not name one region and account/],
            ["lambda-permission-source-arn", [permission("arn:aws:lambda:us-east-1:123456789012:function:f")], /is not an execute-api ARN/],
            ["iam-no-wildcards", [fixture("aws:iam/rolePolicy:RolePolicy", { role: "r", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::b/*" }] }) })], /wildcard action "s3:\*"/],
            ["iam-no-wildcards", [fixture("aws:iam/rolePolicy:RolePolicy", { role: "r", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: ["dynamodb:GetItem"], Resource: "*" }] }) })], /every resource/],
            // A statement named like a route's grant must be that grant (the shipped table declares none).
            ["route-grants-as-declared", [fixture("aws:iam/rolePolicy:RolePolicy", { role: "r", policy: JSON.stringify({ Statement: [{ Sid: "RoutepostSuccessGrant1", Effect: "Allow", Action: ["dynamodb:GetItem"], Resource: [TABLE_ARN] }] }) })], /RoutepostSuccessGrant1 is named like a route's grant but is not one the route table declares/],
            ["iam-no-wildcards", [fixture("aws:iam/rolePolicyAttachment:RolePolicyAttachment", { role: "r", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" })], /AWS-managed policy/],
            ["app-client-prevent-user-existence-errors", [client({ preventUserExistenceErrors: "LEGACY" })], /reveal which users exist/],
            ["app-client-prevent-user-existence-errors", [client({ preventUserExistenceErrors: undefined })], /unset \(LEGACY\)/],
            ["app-client-no-password-flows", [client({ explicitAuthFlows: ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH"] })], /ALLOW_USER_PASSWORD_AUTH, which send the user's password/],
            ["app-client-no-password-flows", [client({ explicitAuthFlows: ["ADMIN_NO_SRP_AUTH"] })], /ADMIN_NO_SRP_AUTH, which send/],
            ["app-client-no-password-flows", [client({ explicitAuthFlows: ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"] })], /ALLOW_USER_SRP_AUTH, sign-in through Cognito's API outside the hosted UI/],
            ["app-client-no-password-flows", [client({ explicitAuthFlows: undefined })], /no explicitAuthFlows/],
            ["app-client-no-password-flows", [client({ explicitAuthFlows: ["ALLOW_ADMIN_USER_PASSWORD_AUTH"] })], /ALLOW_ADMIN_USER_PASSWORD_AUTH, which send/],
            ["app-client-no-password-flows", [client({ explicitAuthFlows: ["ALLOW_REFRESH_TOKEN_AUTH"], refreshTokenRotation: { feature: "ENABLED", retryGracePeriodSeconds: 10 } })], /rotates its refresh tokens but allows ALLOW_REFRESH_TOKEN_AUTH/],
            ["app-client-no-password-flows", [client({ explicitAuthFlows: ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"], refreshTokenRotation: { feature: "ENABLED", retryGracePeriodSeconds: 10 } })], /ALLOW_USER_SRP_AUTH, sign-in through Cognito's API outside the hosted UI; allow only ALLOW_ADMIN_USER_PASSWORD_AUTH/],
            ["app-client-token-revocation", [client({ enableTokenRevocation: false })], /could not be revoked/],
            ["app-client-token-revocation", [client({ enableTokenRevocation: undefined })], /unset/],
            // 60 in the default unit (hours) is 2.5 days: too long for an access token.
            ["app-client-token-validity", [client({ tokenValidityUnits: { idToken: "minutes", refreshToken: "days" } })], /access token lives 60 hours, outside 5-1440 minutes/],
            ["app-client-token-validity", [client({ accessTokenValidity: 4 })], /access token lives 4 minutes/],
            ["app-client-token-validity", [client({ refreshTokenValidity: 3651 })], /refresh token lives 3651 days/],
            ["app-client-token-validity", [client({ refreshTokenValidity: 1440, tokenValidityUnits: { accessToken: "minutes", idToken: "minutes", refreshToken: "minutes" }, accessTokenValidity: 1440, idTokenValidity: 1440 })], /does not outlive/],
            ["app-client-token-validity", [client({ idTokenValidity: undefined })], /ID token's lifetime is unset/],
            ["app-client-secret-unless-resource-scoped", [client({ generateSecret: false })], /no secret but may be granted openid/],
            ["app-client-secret-unless-resource-scoped", [client({ generateSecret: undefined, allowedOauthScopes: ["https://api.example.com/mcp/tools", "aws.cognito.signin.user.admin"] })], /aws\.cognito\.signin\.user\.admin/],
            ["stage-no-execution-logging", [settings({ loggingLevel: "INFO" })], /log execution at INFO/],
            ["stage-no-execution-logging", [settings({ loggingLevel: "OFF", dataTraceEnabled: true })], /dataTraceEnabled/],
            ["cors-origin-as-configured", [restApiPut(apiDocument({}, {
                "x-amazon-apigateway-gateway-responses": { DEFAULT_4XX: { responseParameters: { "gatewayresponse.header.Access-Control-Allow-Origin": "'*'" } } },
            }))], /Gateway response DEFAULT_4XX allows the origin \*; the policy config allows only https:\/\/chatgpt\.com/, ALLOWED],
            // Header names are case-insensitive.
            ["cors-origin-as-configured", [restApiPut(apiDocument({}, {
                "x-amazon-apigateway-gateway-responses": { UNAUTHORIZED: { responseParameters: { "gatewayresponse.header.access-control-allow-origin": "'https://evil.example'" } } },
            }))], /Gateway response UNAUTHORIZED allows the origin https:\/\/evil\.example/, ALLOWED],
            // "*" is for public documents only: a preflight (OPTIONS, or ANY, which answers preflights too) must name the origin.
            ["cors-origin-as-configured", [restApiPut(apiDocument({ "/a": { options: { responses: {}, "x-amazon-apigateway-integration": mock({ "Access-Control-Allow-Origin": "*" }) } } }))],
                /The OPTIONS \/a integration response default allows the origin \*/, ALLOWED],
            ["cors-origin-as-configured", [restApiPut(apiDocument({ "/a": { "x-amazon-apigateway-any-method": { responses: {}, "x-amazon-apigateway-integration": mock({ "Access-Control-Allow-Origin": "*" }) } } }))],
                /The ANY \/a integration response default allows the origin \*/, ALLOWED],
            // …and so must a GET whose integration is not a mock, which may carry data.
            ["cors-origin-as-configured", [restApiPut(apiDocument({ "/a": { get: { security: [{ Cognito: ["s"] }], responses: {}, "x-amazon-apigateway-integration": { ...mock({ "Access-Control-Allow-Origin": "*" }), type: "http", uri: "https://backend.example" } } } }))],
                /The GET \/a integration response default allows the origin \*/, ALLOWED],
            // An origin mapped from the request is every origin.
            ["cors-origin-as-configured", [restApiPut(apiDocument({ "/a": { options: { responses: {}, "x-amazon-apigateway-integration": { type: "mock", responses: { default: { statusCode: "200", responseParameters: { "method.response.header.Access-Control-Allow-Origin": "method.request.header.Origin" } } } } } } }))],
                /allows the origin method\.request\.header\.Origin/, ALLOWED],
            ["cors-origin-as-configured", [fixture("aws:apigateway/response:Response", { restApiId: "a", responseType: "DEFAULT_4XX", responseParameters: { "gatewayresponse.header.Access-Control-Allow-Origin": "'*'" } })], /origin \*; the policy config allows only https:\/\/chatgpt\.com/, { allowedCorsOrigin: "https://chatgpt.com" }],
            // "*" is for public documents only: a preflight (OPTIONS) answered by a MOCK must name the origin.
            ["cors-origin-as-configured", [
                fixture("aws:apigateway/integration:Integration", { restApi: "a", resourceId: "r", httpMethod: "OPTIONS", type: "MOCK" }),
                fixture("aws:apigateway/integrationResponse:IntegrationResponse", { restApi: "a", resourceId: "r", httpMethod: "OPTIONS", responseParameters: { "method.response.header.Access-Control-Allow-Origin": "'*'" } }),
            ], /OPTIONS integration response allows the origin \*/, { allowedCorsOrigin: "https://chatgpt.com" }],
            // …and a GET whose integration is not a MOCK may carry data: it must name the origin too.
            ["cors-origin-as-configured", [
                fixture("aws:apigateway/integration:Integration", { restApi: "a", resourceId: "r", httpMethod: "GET", type: "HTTP" }),
                fixture("aws:apigateway/integration:Integration", { restApi: "a", resourceId: "other", httpMethod: "GET", type: "MOCK" }),
                fixture("aws:apigateway/integrationResponse:IntegrationResponse", { restApi: "a", resourceId: "r", httpMethod: "GET", responseParameters: { "method.response.header.Access-Control-Allow-Origin": "'*'" } }),
            ], /GET integration response/, { allowedCorsOrigin: "https://chatgpt.com" }],
            ["cors-origin-as-configured", [fixture("aws:lambda/function:Function", { environment: { variables: { CORS_ALLOW_ORIGIN: "https://evil.example" } } })], /CORS_ALLOW_ORIGIN allows the origin https:\/\/evil\.example/, { allowedCorsOrigin: "https://chatgpt.com" }],
            ["lambda-environment-holds-no-secrets", [fixture("aws:lambda/function:Function", { environment: { variables: { FACADE_STATE_KEY: "k", FACADE_STATE_KEY_SECRET_ARN: "arn" } } })], /FACADE_STATE_KEY looks like a secret.*Secrets Manager/],
            ["log-groups-have-retention", [fixture("aws:cloudwatch/logGroup:LogGroup", {})], /forever/],
            ["stages-have-access-logs", [
                fixture("aws:apigateway/stage:Stage", { restApi: "a", stageName: "Prod" }),
                fixture("aws:apigateway/methodSettings:MethodSettings", { restApi: "a", stageName: "Prod", methodPath: "*/*", settings: { throttlingRateLimit: 1, throttlingBurstLimit: 5 } }),
            ], /no access logs/],
            ["stages-are-throttled", [fixture("aws:apigateway/stage:Stage", { restApi: "a", stageName: "Prod", accessLogSettings: { destinationArn: "x" } })], /no \*\/\* throttling/],
            ["stages-are-throttled", [
                fixture("aws:apigateway/stage:Stage", { restApi: "a", stageName: "Prod", accessLogSettings: { destinationArn: "x" } }),
                fixture("aws:apigateway/methodSettings:MethodSettings", { restApi: "a", stageName: "Prod", methodPath: "*/*", settings: { throttlingRateLimit: 0, throttlingBurstLimit: 5 } }),
            ], /no \*\/\* throttling/],
        ];
        for (const [policy, resources, message, config] of failing) {
            it(`${policy} reports ${message.source}`, async () => {
                const found = await violations(resources, config);
                expect(found.map((v) => v.policy)).to.deep.equal([policy]);
                expect(found[0].message).to.match(message);
            });
        }
    });

    it("holds a route's grant statement to the table: as declared, its wildcards explained, by the table's rule", () => {
        const table = [{ ...routeList()[0], operationId: "readSales", grants: [
            { actions: ["dynamodb:GetItem"], resources: [TABLE_ARN] },
            { actions: ["dynamodb:Get*"], resources: [TABLE_ARN], allowWildcard: "every Get API of one table" },
            { actions: ["dynamodb:Query*"], resources: [TABLE_ARN] },
        ] }];
        const statement = (sid: string, action: string, resource = TABLE_ARN) => ({ Sid: sid, Effect: "Allow", Action: [action], Resource: [resource] });
        expect(grantStatementProblem(statement("RoutereadSalesGrant1", "dynamodb:GetItem"), table)).to.be.undefined;
        expect(grantStatementProblem(statement("RoutereadSalesGrant2", "dynamodb:Get*"), table)).to.be.undefined;
        // A partial wildcard (which iam-no-wildcards lets through) still needs the table's reason.
        expect(grantStatementProblem(statement("RoutereadSalesGrant3", "dynamodb:Query*"), table)).to.match(/RoutereadSalesGrant3 \(readSales's grant\) has the wildcard action "dynamodb:Query\*" without a reason/);
        expect(statementProblem(statement("RoutereadSalesGrant3", "dynamodb:Query*"))).to.be.undefined;
        expect(grantStatementProblem(statement("RoutereadSalesGrant1", "dynamodb:PutItem"), table)).to.match(/not one the route table declares/);
        expect(grantStatementProblem(statement("RoutereadSalesGrant1", "dynamodb:GetItem", "*"), table)).to.match(/not one the route table declares/);
        expect(grantStatementProblem(statement("RoutereadSalesGrant9", "dynamodb:GetItem"), table)).to.match(/not one the route table declares/);
        expect(grantStatementProblem({ Effect: "Allow", Action: "dynamodb:*", Resource: "*" }, table)).to.be.undefined;
    });

    it("lets only actions without resource-level permissions (X-Ray writes, EC2 Describe for VPCs) use \"*\"", () => {
        expect(statementProblem({ Effect: "Allow", Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Resource: "*" })).to.be.undefined;
        expect(statementProblem({ Effect: "Allow", Action: ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"], Resource: "*" })).to.be.undefined;
        expect(statementProblem({ Effect: "Allow", Action: ["ec2:CreateNetworkInterface"], Resource: "*" })).to.match(/every resource/);
        expect(statementProblem({ Effect: "Allow", Action: ["xray:PutTraceSegments", "s3:GetObject"], Resource: "*" })).to.match(/every resource/);
        expect(statementProblem({ Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::b" })).to.match(/wildcard action "\*"/);
        expect(statementProblem({ Effect: "Deny", Action: "*", Resource: "*" })).to.be.undefined;
    });
});
