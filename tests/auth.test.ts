import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { PLACEHOLDER_CALLBACK_URL } from "../infra/callbacks";
import { RETRY_GRACE_PERIOD_SECONDS } from "../infra/refreshTokens";
import { runProgram, valueOf, type Run } from "./harness";
import { expectManagedLogin } from "./managedLogin";
import { yamlForms } from "./yamlForm";

const POOL = "aws:cognito/userPool:UserPool";
const CLIENT = "aws:cognito/userPoolClient:UserPoolClient";
const DOMAIN = "aws:cognito/userPoolDomain:UserPoolDomain";
const USER = "aws:cognito/user:User";
const BRANDING = "aws:cognito/managedLoginBranding:ManagedLoginBranding";
const CALLBACK = "https://chatgpt.com/aip/g-0123456789abcdef/oauth/callback";

describe("CognitoAuth", () => {
    let run: Run;
    before(async () => {
        run = await runProgram({ callbackUrl: CALLBACK });
    });

    it("makes a pool that signs in by verified email and allows no self sign-up", () => {
        const pool = run.one(POOL).inputs;
        expect(pool.usernameAttributes).to.deep.equal(["email"]);
        expect(pool.autoVerifiedAttributes).to.deep.equal(["email"]);
        expect(pool.adminCreateUserConfig).to.deep.include({ allowAdminCreateUserOnly: true });
    });

    it("makes usernames case-insensitive on a new pool, and never changes that on an existing one, which would replace it (H1)", async () => {
        // Sent on create: Jane@Example.com signs in as jane@example.com.
        expect(run.one(POOL).inputs.usernameConfiguration).to.deep.equal({ caseSensitive: false });
        // Ignored after: the provider replaces the pool (and loses its users) when caseSensitive changes, so a pool
        // made before this setting keeps its case-sensitive usernames. Only that input, on every stack.
        expect(run.ignoredChangesOf(run.one(POOL))).to.deep.equal(["usernameConfiguration"]);
        const everythingOff = await runProgram({ mfa: "off", deletionProtection: "off", mcp: "false" });
        expect(everythingOff.ignoredChangesOf(everythingOff.one(POOL))).to.deep.equal(["usernameConfiguration"]);
        expect(everythingOff.one(POOL).inputs.usernameConfiguration).to.deep.equal({ caseSensitive: false });
    });

    it("requires passwords of 8+ characters with upper, lower, number and symbol", () => {
        expect(run.one(POOL).inputs.passwordPolicy).to.deep.include({
            minimumLength: 8,
            requireLowercase: true,
            requireUppercase: true,
            requireNumbers: true,
            requireSymbols: true,
        });
    });

    it("makes a confidential app client for the authorization-code grant only", () => {
        const client = run.one(CLIENT, "gpt-action-client").inputs;
        expect(client.userPoolId).to.equal("us-east-1_MockPool");
        expect(client.generateSecret).to.equal(true);
        expect(client.allowedOauthFlowsUserPoolClient).to.equal(true);
        expect(client.allowedOauthFlows).to.deep.equal(["code"]);
        expect(client.allowedOauthScopes).to.deep.equal(["openid", "email", "profile"]);
        expect(client.supportedIdentityProviders).to.deep.equal(["COGNITO"]);
        expect(client.preventUserExistenceErrors).to.equal("ENABLED");
        expect(client.explicitAuthFlows).to.deep.equal(["ALLOW_REFRESH_TOKEN_AUTH"]);
    });

    it("sends a software-token MFA block only while MFA is on or optional, none with mfa=off", async () => {
        expect(run.one(POOL).inputs.softwareTokenMfaConfiguration).to.deep.equal({ enabled: true });
        // With MFA off Cognito reads no block back, so `{ enabled: false }` was a diff on every preview (review P3).
        const off = await runProgram({ callbackUrl: CALLBACK, mfa: "off" });
        expect(off.one(POOL).inputs.mfaConfiguration).to.equal("OFF");
        expect(off.one(POOL).inputs).to.not.have.property("softwareTokenMfaConfiguration");
    });

    it("registers the configured callback URL and its ChatGPT twin", () => {
        expect(run.one(CLIENT, "gpt-action-client").inputs.callbackUrls).to.deep.equal([
            CALLBACK,
            "https://chat.openai.com/aip/g-0123456789abcdef/oauth/callback",
        ]);
    });

    it("uses the configured scopes", async () => {
        const custom = await runProgram({ scopes: "openid,phone" });
        expect(custom.one(CLIENT, "gpt-action-client").inputs.allowedOauthScopes).to.deep.equal(["openid", "phone"]);
    });

    it("derives the hosted-UI domain from project, stack and a random suffix", () => {
        expect(run.one(DOMAIN).inputs).to.deep.include({ domain: "gpt-action-dev-482913", userPoolId: "us-east-1_MockPool" });
        // Digits only: letters could spell "aws", which Cognito refuses in a prefix.
        expect(run.one("random:index/randomString:RandomString").inputs).to.deep.include({ length: 6, lower: false, upper: false, special: false });
        // A pool holds one domain of each kind, so a changed domain must go before its successor comes.
        expect(run.isDeletedBeforeReplace(run.one(DOMAIN))).to.be.true;
    });

    it("serves managed login (version 2), with a default style for each app client: GPT, MCP and the MCP CIMD client", () => {
        expect(run.all(CLIENT)).to.have.lengthOf(3);
        expectManagedLogin(run);
    });

    it("styles the only client of a GPT-Action-only stack", async () => {
        const gptOnly = await runProgram({ mcp: "false" });
        expect(gptOnly.all(BRANDING).map((b) => b.name)).to.deep.equal(["gpt-action-client-branding"]);
        expectManagedLogin(gptOnly);
    });

    it("uses a configured domain prefix and then makes no random suffix", async () => {
        const custom = await runProgram({ domainPrefix: "acme-gpt-login" });
        expect(custom.one(DOMAIN).inputs.domain).to.equal("acme-gpt-login");
        expect(custom.all("random:index/randomString:RandomString")).to.be.empty;
        expect(await valueOf(custom.program.authorizationUrl)).to.equal("https://acme-gpt-login.auth.us-east-1.amazoncognito.com/oauth2/authorize");
    });

    it("creates no test user by default", () => {
        expect(run.all(USER)).to.be.empty;
        expect(run.all("random:index/randomPassword:RandomPassword")).to.be.empty;
        expect(run.program.testUserTemporaryPassword).to.be.undefined;
    });

    describe("with testUserEmail", () => {
        let withUser: Run;
        before(async () => {
            withUser = await runProgram({ testUserEmail: "john@example.com" });
        });

        it("creates the user with a verified email and sends no invitation", () => {
            const user = withUser.one(USER).inputs;
            expect(user.userPoolId).to.equal("us-east-1_MockPool");
            expect(user.username).to.equal("john@example.com");
            expect(user.attributes).to.deep.equal({ email: "john@example.com", email_verified: "true" });
            expect(user.messageAction).to.equal("SUPPRESS");
            expect(user.temporaryPassword).to.equal("Mock-Temp-Password-1!");
            expect(withUser.one(USER).secretInputs).to.include("temporaryPassword");
        });

        it("generates a temporary password that meets the pool's policy", () => {
            const password = withUser.one("random:index/randomPassword:RandomPassword").inputs;
            expect(password.length).to.be.at.least(8);
            expect(password).to.deep.include({ minUpper: 1, minLower: 1, minNumeric: 1, minSpecial: 1 });
            // Every symbol it may use is one Cognito counts as a symbol.
            expect(String(password.overrideSpecial)).to.match(/^[\^$*.[\]{}()?"!@#%&/\\,><':;|_~`=+-]+$/);
        });

        it("exports the temporary password as a secret", async () => {
            const output = withUser.program.testUserTemporaryPassword;
            expect(output).to.not.be.undefined;
            expect(await pulumi.isSecret(output as pulumi.Output<string>)).to.be.true;
            expect(await valueOf(output as pulumi.Output<string>)).to.equal("Mock-Temp-Password-1!");
        });
    });

    it("keeps the client secret secret", async () => {
        expect(await pulumi.isSecret(run.program.clientSecret)).to.be.true;
        expect(await valueOf(run.program.clientSecret)).to.equal("mock-client-secret");
    });

    it("registers the placeholder while no callback URL is configured", async () => {
        const first = await runProgram();
        expect(first.one(CLIENT, "gpt-action-client").inputs.callbackUrls).to.deep.equal([PLACEHOLDER_CALLBACK_URL]);
        expect(first.program.nextStep).to.match(/pulumi config set callbackUrl <url> && pulumi up/);
        // … and, for a user without the Pulumi CLI, the same edit in the stack file.
        expect(yamlForms(first.program.nextStep ?? "")).to.deep.equal([{ "gpt-action:callbackUrl": "<url>" }]);
        // ChatGPT's app needs no MCP callback URL: it signs in with its client metadata document (the default).
        expect(first.program.nextStep).to.not.match(/mcpCallbackUrl/);
        const noCimd = (await runProgram({ mcpClientMetadataUrls: "[]" })).program.nextStep ?? "";
        expect(noCimd).to.match(/pulumi config set mcpCallbackUrl <url> && pulumi up/);
        expect(yamlForms(noCimd), noCimd).to.deep.equal([{ "gpt-action:callbackUrl": "<url>" }, { "gpt-action:mcpCallbackUrl": "<url>" }]);
        expect(run.program.nextStep).to.not.match(/config set callbackUrl/);
        const both = await runProgram({ callbackUrl: CALLBACK, mcpCallbackUrl: "https://chatgpt.com/connector/oauth/abc123" });
        expect(both.program.nextStep).to.be.undefined;
    });
});

describe("CognitoAuth refresh token rotation (public clients only)", () => {
    const ROTATION = { feature: "ENABLED", retryGracePeriodSeconds: RETRY_GRACE_PERIOD_SECONDS };
    let run: Run;
    let publicRun: Run;
    before(async () => {
        run = await runProgram({ callbackUrl: CALLBACK });
        publicRun = await runProgram({ callbackUrl: CALLBACK, mcpPublicClient: "true" });
    });

    it("rotates the CIMD (shadow) client's refresh tokens, and allows it no REFRESH_TOKEN_AUTH, which Cognito refuses with rotation", () => {
        for (const stack of [run, publicRun]) {
            const client = stack.one(CLIENT, "gpt-action-mcp-cimd-client").inputs;
            expect(client.generateSecret).to.equal(false);
            expect(client.refreshTokenRotation).to.deep.equal(ROTATION);
            expect(client.explicitAuthFlows).to.deep.equal(["ALLOW_ADMIN_USER_PASSWORD_AUTH"]).and.not.include("ALLOW_REFRESH_TOKEN_AUTH");
        }
    });

    it("rotates the MCP client's refresh tokens when mcpPublicClient makes it public, and not while it has a secret", () => {
        const publicClient = publicRun.one(CLIENT, "gpt-action-mcp-client").inputs;
        expect(publicClient.refreshTokenRotation).to.deep.equal(ROTATION);
        expect(publicClient.explicitAuthFlows).to.deep.equal(["ALLOW_ADMIN_USER_PASSWORD_AUTH"]);
        const confidential = run.one(CLIENT, "gpt-action-mcp-client").inputs;
        expect(confidential).to.not.have.property("refreshTokenRotation");
        expect(confidential.explicitAuthFlows).to.deep.equal(["ALLOW_REFRESH_TOKEN_AUTH"]);
    });

    it("does not rotate the GPT Action's confidential client, which keeps REFRESH_TOKEN_AUTH only", () => {
        for (const stack of [run, publicRun]) {
            const client = stack.one(CLIENT, "gpt-action-client").inputs;
            expect(client).to.not.have.property("refreshTokenRotation");
            expect(client.explicitAuthFlows).to.deep.equal(["ALLOW_REFRESH_TOKEN_AUTH"]);
        }
    });

    it("keeps the grace period within Cognito's 0-60 seconds", () => {
        expect(RETRY_GRACE_PERIOD_SECONDS).to.be.within(0, 60);
    });
});
