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
function policyArgs(resource: { type: string; name: string; inputs: Record<string, unknown> }): ResourceValidationArgs & PolicyResource {
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
        getConfig: () => ({}) as never,
        notApplicable: (reason?: string) => { throw new NotApplicable(reason); },
        protect: false,
        ignoreChanges: [],
        resource: undefined as never,
        dependencies: [],
        propertyDependencies: {},
    } as unknown as ResourceValidationArgs & PolicyResource;
}

/** Every violation the pack reports for `resources`. */
async function violations(resources: ReadonlyArray<{ type: string; name: string; inputs: Record<string, unknown> }>): Promise<Violation[]> {
    const found: Violation[] = [];
    for (const policy of resourcePolicies) {
        const validations = (Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource])
            .filter((v) => v !== undefined);
        for (const resource of resources) {
            const report: ReportViolation = (message) => found.push({ policy: policy.name, resource: resource.name, message });
            for (const validate of validations) {
                try {
                    await validate(policyArgs(resource), report);
                } catch (error) {
                    if (!(error instanceof NotApplicable)) {
                        throw error;
                    }
                }
            }
        }
    }
    for (const policy of stackPolicies) {
        const args = { resources: resources.map(policyArgs), getConfig: () => ({}) } as unknown as StackValidationArgs;
        await policy.validateStack(args, (message, urn) => found.push({ policy: policy.name, resource: urn ?? "stack", message }));
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

    it("flags only the missing access logs with everything switched off", async () => {
        const found = await violations((await runProgram(EVERYTHING_OFF)).resources);
        expect(found.map((v) => `${v.policy} ${v.resource}`)).to.deep.equal(["stages-have-access-logs gpt-action-stage"]);
    });

    describe("each policy can fail", () => {
        const failing: Array<[string, RecordedResource[], RegExp]> = [
            ["api-methods-require-cognito-scopes", [fixture("aws:apigateway/method:Method", { httpMethod: "POST", authorization: "NONE" })], /Cognito authorizer/],
            // Public only when API Gateway answers it itself: a function behind an open GET is flagged.
            ["api-methods-require-cognito-scopes", [
                fixture("aws:apigateway/method:Method", { restApi: "a", resourceId: "r", httpMethod: "GET", authorization: "NONE" }),
                fixture("aws:apigateway/integration:Integration", { restApi: "a", resourceId: "r", httpMethod: "GET", type: "AWS_PROXY" }),
                fixture("aws:apigateway/integration:Integration", { restApi: "a", resourceId: "other", httpMethod: "GET", type: "MOCK" }),
            ], /Cognito authorizer/],
            ["api-methods-require-cognito-scopes", [fixture("aws:apigateway/method:Method", { httpMethod: "GET", authorization: "COGNITO_USER_POOLS", authorizerId: "a", authorizationScopes: [] })], /no authorizationScopes/],
            ["user-pool-no-self-sign-up", [fixture("aws:cognito/userPool:UserPool", { adminCreateUserConfig: { allowAdminCreateUserOnly: false } })], /anyone sign up/],
            ["callback-urls-https", [fixture("aws:cognito/userPoolClient:UserPoolClient", { allowedOauthFlows: ["code"], callbackUrls: ["http://example.com/cb"] })], /https/],
            ["app-client-code-flow-only", [fixture("aws:cognito/userPoolClient:UserPoolClient", { allowedOauthFlows: ["code", "implicit"], callbackUrls: [] })], /implicit/],
            ["lambda-permission-source-arn", [fixture("aws:lambda/permission:Permission", { principal: "apigateway.amazonaws.com", action: "lambda:InvokeFunction", function: "f" })], /set sourceArn/],
            ["lambda-permission-source-arn", [fixture("aws:lambda/permission:Permission", { principal: "apigateway.amazonaws.com", sourceArn: "arn:aws:execute-api:us-east-1:1:api/*/*" })], /every stage/],
            ["iam-no-wildcards", [fixture("aws:iam/rolePolicy:RolePolicy", { role: "r", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::b/*" }] }) })], /wildcard action "s3:\*"/],
            ["iam-no-wildcards", [fixture("aws:iam/rolePolicy:RolePolicy", { role: "r", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: ["dynamodb:GetItem"], Resource: "*" }] }) })], /every resource/],
            ["iam-no-wildcards", [fixture("aws:iam/rolePolicyAttachment:RolePolicyAttachment", { role: "r", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" })], /AWS-managed policy/],
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
        for (const [policy, resources, message] of failing) {
            it(`${policy} reports ${message.source}`, async () => {
                const found = await violations(resources);
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
