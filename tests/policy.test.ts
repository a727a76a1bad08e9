/**
 * The policy pack, run in-process: each policy's validateResource (and the stack policy's validateStack) over
 * the resources recorded by the mocks, as CrossGuard would call them during `pulumi preview`.
 */
import type { PolicyResource, ReportViolation, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { expect } from "chai";
import { resourcePolicies, stackPolicies, statementProblem } from "../policy/policies";
import { EVERYTHING_OFF, EVERYTHING_ON, runProgram, type RecordedResource } from "./harness";

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
        const run = await runProgram();
        const found = await violations(run.resources, { allowedCorsOrigin: "https://chatgpt.com" });
        expect(new Set(found.map((v) => v.policy))).to.deep.equal(new Set(["cors-origin-as-configured"]));
        const flagged = found.map((v) => v.resource.split("::").pop());
        expect(flagged).to.include("gpt-action-handler");
        expect(flagged).to.include("gpt-action-unauthorized");
        expect(flagged.filter((name) => name?.includes("-options/"))).to.not.be.empty;
        expect(flagged.filter((name) => name?.includes("metadata"))).to.be.empty;
        expect(found.every((v) => /origin \*; the policy config allows only https:\/\/chatgpt\.com/.test(v.message))).to.be.true;
    });

    it("flags only the missing access logs with everything switched off", async () => {
        const found = await violations((await runProgram(EVERYTHING_OFF)).resources);
        expect(found.map((v) => `${v.policy} ${v.resource}`)).to.deep.equal(["stages-have-access-logs gpt-action-stage"]);
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
            ["api-methods-require-cognito-scopes", [fixture("aws:apigateway/method:Method", { httpMethod: "POST", authorization: "NONE" })], /Cognito authorizer/],
            // Public only when API Gateway answers it itself: a function behind an open GET is flagged.
            ["api-methods-require-cognito-scopes", [
                fixture("aws:apigateway/method:Method", { restApi: "a", resourceId: "r", httpMethod: "GET", authorization: "NONE" }),
                fixture("aws:apigateway/integration:Integration", { restApi: "a", resourceId: "r", httpMethod: "GET", type: "AWS_PROXY" }),
                fixture("aws:apigateway/integration:Integration", { restApi: "a", resourceId: "other", httpMethod: "GET", type: "MOCK" }),
            ], /Cognito authorizer/],
            ["api-methods-require-cognito-scopes", [fixture("aws:apigateway/method:Method", { httpMethod: "GET", authorization: "COGNITO_USER_POOLS", authorizerId: "a", authorizationScopes: [] })], /no authorizationScopes/],
            ["user-pool-no-self-sign-up", [fixture("aws:cognito/userPool:UserPool", { adminCreateUserConfig: { allowAdminCreateUserOnly: false } })], /anyone sign up/],
            ["callback-urls-https", [client({ callbackUrls: ["http://example.com/cb"] })], /https/],
            ["app-client-code-flow-only", [client({ allowedOauthFlows: ["code", "implicit"] })], /implicit/],
            ["lambda-permission-source-arn", [fixture("aws:lambda/permission:Permission", { principal: "apigateway.amazonaws.com", action: "lambda:InvokeFunction", function: "f" })], /set sourceArn/],
            ["lambda-permission-source-arn", [fixture("aws:lambda/permission:Permission", { principal: "apigateway.amazonaws.com", sourceArn: "arn:aws:execute-api:us-east-1:1:api/*/*" })], /every stage/],
            ["iam-no-wildcards", [fixture("aws:iam/rolePolicy:RolePolicy", { role: "r", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::b/*" }] }) })], /wildcard action "s3:\*"/],
            ["iam-no-wildcards", [fixture("aws:iam/rolePolicy:RolePolicy", { role: "r", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: ["dynamodb:GetItem"], Resource: "*" }] }) })], /every resource/],
            ["iam-no-wildcards", [fixture("aws:iam/rolePolicyAttachment:RolePolicyAttachment", { role: "r", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" })], /AWS-managed policy/],
            ["app-client-prevent-user-existence-errors", [client({ preventUserExistenceErrors: "LEGACY" })], /reveal which users exist/],
            ["app-client-prevent-user-existence-errors", [client({ preventUserExistenceErrors: undefined })], /unset \(LEGACY\)/],
            ["app-client-no-password-flows", [client({ explicitAuthFlows: ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH"] })], /ALLOW_USER_PASSWORD_AUTH, which send the user's password/],
            ["app-client-no-password-flows", [client({ explicitAuthFlows: ["ADMIN_NO_SRP_AUTH"] })], /ADMIN_NO_SRP_AUTH, which send/],
            ["app-client-no-password-flows", [client({ explicitAuthFlows: ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"] })], /ALLOW_USER_SRP_AUTH, sign-in through Cognito's API outside the hosted UI/],
            ["app-client-no-password-flows", [client({ explicitAuthFlows: undefined })], /no explicitAuthFlows/],
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

    it("lets only actions without resource-level permissions (X-Ray writes, EC2 Describe for VPCs) use \"*\"", () => {
        expect(statementProblem({ Effect: "Allow", Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Resource: "*" })).to.be.undefined;
        expect(statementProblem({ Effect: "Allow", Action: ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"], Resource: "*" })).to.be.undefined;
        expect(statementProblem({ Effect: "Allow", Action: ["ec2:CreateNetworkInterface"], Resource: "*" })).to.match(/every resource/);
        expect(statementProblem({ Effect: "Allow", Action: ["xray:PutTraceSegments", "s3:GetObject"], Resource: "*" })).to.match(/every resource/);
        expect(statementProblem({ Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::b" })).to.match(/wildcard action "\*"/);
        expect(statementProblem({ Effect: "Deny", Action: "*", Resource: "*" })).to.be.undefined;
    });
});
