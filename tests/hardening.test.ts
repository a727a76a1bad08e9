import { expect } from "chai";
import { routeList } from "../handler/routes";
import { EVERYTHING_OFF, EVERYTHING_ON, restApiDocumentOf, runProgram, type Run } from "./harness";

const STAGE = "aws:apigateway/stage:Stage";
const POOL = "aws:cognito/userPool:UserPool";
const CLIENT = "aws:cognito/userPoolClient:UserPoolClient";
const FUNCTION = "aws:lambda/function:Function";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const ACCOUNT = "aws:apigateway/account:Account";

const statements = (policy: unknown) => (JSON.parse(String(policy)) as { Statement: Array<{ Action: string[]; Resource: string | string[] }> }).Statement;

describe("production defaults", () => {
    let run: Run;
    before(async () => {
        run = await runProgram();
    });

    it("writes JSON access logs, without headers or bodies, to a log group with retention", () => {
        const group = run.one(LOG_GROUP, "access-logs");
        expect(group.inputs.retentionInDays).to.equal(30);
        const settings = run.one(STAGE).inputs.accessLogSettings as { destinationArn: string; format: string };
        expect(settings.destinationArn).to.equal("arn:aws:logs:us-east-1:123456789012:log-group:gpt-action-access-logs");
        const format = JSON.parse(settings.format) as Record<string, string>;
        expect(format).to.include({ requestId: "$context.requestId", status: "$context.status", sub: "$context.authorizer.claims.sub" });
        expect(settings.format).to.not.match(/requestOverride|\$input|header/i);
    });

    it("creates the region's API Gateway CloudWatch role with log actions only, kept on delete", () => {
        const role = run.one("aws:iam/role:Role", "apigateway-cloudwatch-role");
        const trust = statements(role.inputs.assumeRolePolicy) as unknown as Array<{ Principal: unknown }>;
        expect(trust[0].Principal).to.deep.equal({ Service: "apigateway.amazonaws.com" });
        const policy = run.one("aws:iam/rolePolicy:RolePolicy", "apigateway-cloudwatch-policy");
        const [statement] = statements(policy.inputs.policy);
        expect(statement.Action.every((a) => a.startsWith("logs:"))).to.be.true;
        expect(statement.Resource).to.deep.equal([
            "arn:aws:logs:us-east-1:123456789012:log-group:*",
            "arn:aws:logs:us-east-1:123456789012:log-group:*:log-stream:*",
        ]);
        const account = run.one(ACCOUNT);
        expect(account.inputs.cloudwatchRoleArn).to.equal("arn:aws:iam::123456789012:role/gpt-action-apigateway-cloudwatch-role");
        for (const r of [role, policy, account]) {
            expect(run.isRetained(r), r.name).to.be.true;
        }
        expect(run.dependenciesOf(run.one(STAGE)).some((urn) => urn.endsWith("::gpt-action-apigateway-account"))).to.be.true;
    });

    it("throttles the whole stage and keeps execution logging (which would log bodies) off", () => {
        expect(run.one("aws:apigateway/methodSettings:MethodSettings").inputs).to.deep.include({
            restApi: "mockapi",
            stageName: "Prod",
            methodPath: "*/*",
            settings: { throttlingRateLimit: 10, throttlingBurstLimit: 20, metricsEnabled: true, loggingLevel: "OFF", dataTraceEnabled: false },
        });
    });

    it("traces the stage and the function with X-Ray", () => {
        expect(run.one(STAGE).inputs.xrayTracingEnabled).to.equal(true);
        expect(run.one(FUNCTION, "-handler").inputs.tracingConfig).to.deep.equal({ mode: "Active" });
    });

    it("validates request bodies against the route's schema at the gateway", () => {
        const document = restApiDocumentOf(run);
        expect(document["x-amazon-apigateway-request-validators"].body).to.deep.equal({ validateRequestBody: true, validateRequestParameters: false });
        // One model per route with a request schema; the table decides how many.
        for (const route of routeList()) {
            const operation = document.paths[route.path][route.method.toLowerCase()];
            expect(operation.requestBody === undefined, route.operationId).to.equal(route.request === undefined);
            expect(operation["x-amazon-apigateway-request-validator"] === undefined, route.operationId).to.equal(route.request === undefined);
        }
        expect(document.components.schemas.getSalesReportBody.required).to.deep.equal(["month"]);
    });

    it("tells the caller that the validator refused the body, in JSON", () => {
        const response = restApiDocumentOf(run)["x-amazon-apigateway-gateway-responses"].BAD_REQUEST_BODY;
        expect(response.statusCode).to.equal(400);
        expect(response.responseTemplates).to.deep.equal({ "application/json": '{"message":$context.error.messageString}' });
    });

    it("makes no WAF and reserves no concurrency", () => {
        expect(run.all("aws:wafv2/webAcl:WebAcl")).to.be.empty;
        expect(run.one(FUNCTION, "-handler").inputs.reservedConcurrentExecutions).to.be.undefined;
    });

    it("offers TOTP MFA, recovers accounts by verified email only, and keeps threat protection off", () => {
        expect(run.one(POOL).inputs).to.deep.include({
            mfaConfiguration: "OPTIONAL",
            softwareTokenMfaConfiguration: { enabled: true },
            accountRecoverySetting: { recoveryMechanisms: [{ name: "verified_email", priority: 1 }] },
            userPoolTier: "ESSENTIALS",
            userPoolAddOns: { advancedSecurityMode: "OFF" },
            deletionProtection: "INACTIVE",
        });
    });

    it("sets token lifetimes explicitly and allows revocation", () => {
        expect(run.one(CLIENT, "gpt-action-client").inputs).to.deep.include({
            accessTokenValidity: 60,
            idTokenValidity: 60,
            refreshTokenValidity: 30,
            tokenValidityUnits: { accessToken: "minutes", idToken: "minutes", refreshToken: "days" },
            enableTokenRevocation: true,
        });
    });

    it("protects the user pool from deletion on stacks named prod…", async () => {
        const prod = await runProgram({}, { stack: "production" });
        expect(prod.one(POOL).inputs.deletionProtection).to.equal("ACTIVE");
    });
});

describe("everything switched on", () => {
    let run: Run;
    before(async () => {
        run = await runProgram(EVERYTHING_ON);
    });

    it("puts a WAF web ACL with AWS managed rule groups in front of the stage and the user pool", () => {
        const acl = run.one("aws:wafv2/webAcl:WebAcl").inputs as { scope: string; rules: Array<{ name: string; statement: { managedRuleGroupStatement?: { vendorName: string; ruleActionOverrides?: unknown[] } } }> };
        expect(acl.scope).to.equal("REGIONAL");
        // The managed groups, then the rule that keeps the OAuth exemptions to the OAuth endpoints (tests/waf.test.ts).
        expect(acl.rules.map((r) => r.name)).to.deep.equal(["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesAmazonIpReputationList", "CoreRuleSetOutsideOAuthEndpoints"]);
        expect(acl.rules.slice(0, 3).every((r) => r.statement.managedRuleGroupStatement?.vendorName === "AWS")).to.be.true;
        // GPT requests may be up to 100,000 characters: the 8 KB body rule only counts.
        expect(acl.rules[0].statement.managedRuleGroupStatement?.ruleActionOverrides).to.deep.include({ name: "SizeRestrictions_BODY", actionToUse: { count: {} } });
        expect(run.one("aws:wafv2/webAclAssociation:WebAclAssociation", "waf-association").inputs).to.deep.equal({
            resourceArn: "arn:aws:apigateway:us-east-1::/restapis/mockapi/stages/Prod",
            webAclArn: "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/gpt-action-waf-acl/id",
        });
        expect(run.one("aws:wafv2/webAclAssociation:WebAclAssociation", "user-pool-association").inputs).to.deep.equal({
            resourceArn: "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_MockPool",
            webAclArn: "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/gpt-action-waf-acl/id",
        });
    });

    it("applies MFA, deletion protection, threat protection (Plus tier) and the token lifetimes", () => {
        expect(run.one(POOL).inputs).to.deep.include({
            mfaConfiguration: "ON",
            deletionProtection: "ACTIVE",
            userPoolTier: "PLUS",
            userPoolAddOns: { advancedSecurityMode: "ENFORCED" },
        });
        expect(run.one(CLIENT, "gpt-action-client").inputs).to.deep.include({ accessTokenValidity: 15, idTokenValidity: 15, refreshTokenValidity: 7 });
    });

    it("reserves concurrency, and applies the throttle and retention", () => {
        expect(run.one(FUNCTION, "-handler").inputs.reservedConcurrentExecutions).to.equal(5);
        expect((run.one("aws:apigateway/methodSettings:MethodSettings").inputs.settings)).to.deep.include({ throttlingRateLimit: 2.5, throttlingBurstLimit: 5 });
        for (const group of run.all(LOG_GROUP)) {
            expect(group.inputs.retentionInDays, group.name).to.equal(90);
        }
    });
});

describe("everything switched off", () => {
    let run: Run;
    before(async () => {
        run = await runProgram(EVERYTHING_OFF);
    });

    it("makes no access logs, no CloudWatch role and no account setting", () => {
        expect(run.all(LOG_GROUP).map((g) => g.name)).to.deep.equal(["gpt-action-handler-logs"]);
        expect(run.all(ACCOUNT)).to.be.empty;
        expect(run.one(STAGE).inputs.accessLogSettings).to.be.undefined;
    });

    it("turns tracing off, and with it the role's X-Ray permission", () => {
        expect(run.one(STAGE).inputs.xrayTracingEnabled).to.equal(false);
        expect(run.one(FUNCTION, "-handler").inputs.tracingConfig).to.deep.equal({ mode: "PassThrough" });
        const actions = statements(run.one("aws:iam/rolePolicy:RolePolicy", "handler-logs-policy").inputs.policy).flatMap((st) => st.Action);
        expect(actions).to.deep.equal(["logs:CreateLogStream", "logs:PutLogEvents"]);
    });

    it("turns MFA and deletion protection off", () => {
        expect(run.one(POOL).inputs).to.deep.include({ mfaConfiguration: "OFF", deletionProtection: "INACTIVE" });
        // No software-token block at all: Cognito reads none back with MFA off (review 2026-11-30 P3).
        expect(run.one(POOL).inputs).to.not.have.property("softwareTokenMfaConfiguration");
    });

    it("keeps access logs but leaves the region's setting alone with apiGatewayCloudWatchRole=existing", async () => {
        const existing = await runProgram({ apiGatewayCloudWatchRole: "existing" });
        expect(existing.one(STAGE).inputs.accessLogSettings).to.not.be.undefined;
        expect(existing.all(ACCOUNT)).to.be.empty;
        // The functions' own roles only: the handler's and the OAuth facade's.
        expect(existing.all("aws:iam/role:Role").map((r) => r.name)).to.have.members(["gpt-action-handler-role", "gpt-action-oauth-role"]);
    });
});
