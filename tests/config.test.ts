import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { chatGptTwin, PLACEHOLDER_CALLBACK_URL, withChatGptTwins } from "../infra/callbacks";
import { ConfigError, CONFIG_DEFAULTS, OBJECT_KEYS, domainPrefixBase, domainPrefixProblem, parseConfig, type ActionConfig } from "../infra/config";
import { projectFile, stackFileConfig, stackFilePath } from "../infra/stackFiles";
import { readStackConfig } from "../local/stackConfig";
import { runProgram, type RecordedResource } from "./harness";
import { yamlForms } from "./yamlForm";

const parse = (raw: Record<string, string> = {}): ActionConfig => parseConfig(raw, "gpt-action", "dev");

/** The problems a config is rejected with. */
function problemsOf(raw: Record<string, string>): string[] {
    try {
        parse(raw);
    } catch (err) {
        expect(err).to.be.instanceOf(ConfigError);
        return (err as ConfigError).problems;
    }
    throw new Error(`accepted ${JSON.stringify(raw)}`);
}

const CALLBACK = "https://chatgpt.com/aip/g-0123456789abcdef/oauth/callback";
const TWIN = "https://chat.openai.com/aip/g-0123456789abcdef/oauth/callback";

describe("config", () => {
    it("declares every key in Pulumi.yaml with a description and the same default as the code", () => {
        const declared = projectFile().config;
        // Object-valued keys cannot be declared (Pulumi.yaml's types are string, integer, boolean and array).
        expect(Object.keys(declared)).to.have.members(Object.keys(CONFIG_DEFAULTS).filter((k) => !OBJECT_KEYS.includes(k)));
        for (const [key, spec] of Object.entries(declared)) {
            expect(spec.description, key).to.be.a("string").and.not.empty;
            const asPassed = typeof spec.default === "string" ? spec.default : JSON.stringify(spec.default);
            expect(asPassed, key).to.equal(CONFIG_DEFAULTS[key]);
        }
    });

    // The only test that reads a repository stack file. It is yours to edit (it ships with a region only), so it is
    // checked exactly as npm run local and pulumi up check it, and a problem is reported in their words.
    it("your Pulumi.dev.yaml passes the checks npm run local and pulumi up make", () => {
        const file = stackFilePath("dev");
        const region = stackFileConfig(file)["aws:region"];
        expect(region, `${file} sets no aws:region. Fix: pulumi config set aws:region us-east-1, or add aws:region: us-east-1 under config:`)
            .to.match(/^[a-z]{2}(-[a-z]+)+-\d$/);
        try {
            parseConfig(readStackConfig(file, "gpt-action").values, "gpt-action", "dev");
        } catch (error) {
            expect.fail(`${file}: ${error instanceof Error ? error.message : String(error)}`);
        }
    });

    it("defaults to the cookbook's settings and a placeholder callback", () => {
        const config = parse();
        expect(config.scopes).to.deep.equal(["openid", "email", "profile"]);
        expect(config.chatGptScope).to.equal("openid");
        expect(config.stageName).to.equal("Prod");
        expect(config.corsAllowOrigin).to.equal("*");
        expect(config.lambdaTimeout).to.equal(25);
        expect(config.lambdaMemory).to.equal(256);
        expect(config.testUserEmail).to.be.undefined;
        expect(config.domainPrefix).to.be.undefined;
        expect(config.callbackUrls).to.deep.equal([PLACEHOLDER_CALLBACK_URL]);
        expect(config.awaitingCallbackUrl).to.be.true;
    });

    it("registers a ChatGPT callback URL with its twin on the other host", () => {
        const config = parse({ callbackUrl: CALLBACK });
        expect(config.callbackUrls).to.deep.equal([CALLBACK, TWIN]);
        expect(config.awaitingCallbackUrl).to.be.false;
        expect(parse({ callbackUrl: TWIN }).callbackUrls).to.deep.equal([TWIN, CALLBACK]);
    });

    it("adds extra callbackUrls, twins included, without repeats", () => {
        const config = parse({
            callbackUrl: CALLBACK,
            callbackUrls: JSON.stringify([TWIN, "http://localhost:4000/callback", "https://example.org/cb"]),
        });
        expect(config.callbackUrls).to.deep.equal([CALLBACK, TWIN, "http://localhost:4000/callback", "https://example.org/cb"]);
    });

    it("gives non-ChatGPT URLs no twin", () => {
        expect(chatGptTwin("https://example.org/aip/x")).to.be.undefined;
        expect(chatGptTwin("https://chatgpt.com/other/path")).to.be.undefined;
        expect(withChatGptTwins(["https://a.example/cb", "https://a.example/cb"])).to.deep.equal(["https://a.example/cb"]);
    });

    const rejected: Array<[string, Record<string, string>, RegExp]> = [
        ["an http:// callback URL", { callbackUrl: "http://chatgpt.com/aip/g-1/oauth/callback" }, /callbackUrl .*https:\/\/.*pulumi config set callbackUrl/],
        ["a callback URL with a fragment", { callbackUrl: `${CALLBACK}#x` }, /fragment/],
        ["a wildcard callback URL", { callbackUrl: "https://chatgpt.com/aip/*/oauth/callback" }, /wildcard/],
        ["a callback URL over 1024 characters", { callbackUrl: `https://example.org/${"a".repeat(1010)}` }, /1024/],
        ["a callback URL that is not a URL", { callbackUrl: "chatgpt.com/callback" }, /not an absolute URL/],
        ["an ftp:// callback URL", { callbackUrl: "ftp://example.org/cb" }, /https/],
        ["http on a host other than localhost", { callbackUrl: "http://127.0.0.1:4000/cb" }, /localhost/],
        ["a bad URL among callbackUrls", { callbackUrls: JSON.stringify(["https://ok.example/cb", "http://bad.example/cb"]) }, /callbackUrls\[1\].*--path 'callbackUrls\[1\]'/],
        ["callbackUrls that are not a list", { callbackUrls: "https://example.org/cb" }, /callbackUrls .*not a list/],
        ["more than 100 callback URLs", { callbackUrls: JSON.stringify(Array.from({ length: 101 }, (_, i) => `https://e.example/${i}`)) }, /limit of 100/],
        ["an upper-case domain prefix", { domainPrefix: "MyGpt" }, /domainPrefix .*lower-case/],
        ["a domain prefix with 'cognito'", { domainPrefix: "my-cognito-login" }, /reserved word "cognito"/],
        ["a domain prefix with 'aws'", { domainPrefix: "awsgpt" }, /reserved word "aws"/],
        ["a domain prefix with 'amazon'", { domainPrefix: "amazonian" }, /reserved word "amazon"/],
        ["a domain prefix over 63 characters", { domainPrefix: "a".repeat(64) }, /1-63/],
        ["a domain prefix ending in a hyphen", { domainPrefix: "gpt-" }, /starting and ending/],
        ["a custom scope", { scopes: "openid,gpt/read" }, /scopes .*resource server/],
        ["email without openid", { scopes: "email" }, /without openid/],
        ["no scopes", { scopes: " , " }, /scopes/],
        ["a stage name with a slash", { stageName: "prod/v1" }, /stageName/],
        ["a CORS origin with a path", { corsAllowOrigin: "https://chatgpt.com/x" }, /corsAllowOrigin .*no path/],
        ["a CORS origin with a quote", { corsAllowOrigin: "'*'" }, /corsAllowOrigin/],
        ["a Lambda timeout over 29 s", { lambdaTimeout: "30" }, /lambdaTimeout .*28/],
        ["a Lambda timeout of 29 s, which races API Gateway's 29 s integration timeout", { lambdaTimeout: "29" }, /lambdaTimeout 29 .*1-28|lambdaTimeout .*29.*28/],
        ["a Lambda timeout of 0", { lambdaTimeout: "0" }, /lambdaTimeout/],
        ["a fractional Lambda timeout", { lambdaTimeout: "2.5" }, /lambdaTimeout/],
        ["a Lambda memory below 128 MB", { lambdaMemory: "64" }, /lambdaMemory/],
        ["a test user email that is not an email", { testUserEmail: "john" }, /testUserEmail/],
        ["an unknown key (a typo)", { callbakUrl: CALLBACK }, /callbakUrl .*not a gpt-action setting.*pulumi config rm callbakUrl/],
        ["accessLogs that is not a boolean", { accessLogs: "yes" }, /accessLogs = "yes" must be true or false.*pulumi config set accessLogs true/],
        ["tracing that is not a boolean", { tracing: "1" }, /tracing .*true or false/],
        ["waf that is not a boolean", { waf: "on" }, /waf .*true or false/],
        ["threatProtection that is not a boolean", { threatProtection: "maybe" }, /threatProtection .*true or false/],
        ["a log retention CloudWatch does not offer", { logRetentionDays: "45" }, /logRetentionDays .*one of CloudWatch's retention periods/],
        ["a log retention of 0 (never expire)", { logRetentionDays: "0" }, /logRetentionDays/],
        ["a throttle rate of 0", { throttleRateLimit: "0" }, /throttleRateLimit .*above 0/],
        ["a throttle rate that is not a number", { throttleRateLimit: "fast" }, /throttleRateLimit/],
        ["a fractional burst", { throttleBurstLimit: "2.5" }, /throttleBurstLimit .*whole number/],
        ["an unknown CloudWatch role mode", { apiGatewayCloudWatchRole: "skip" }, /apiGatewayCloudWatchRole .*one of create, existing/],
        ["an unknown MFA mode", { mfa: "required" }, /mfa .*one of off, optional, on/],
        ["an unknown deletion protection mode", { deletionProtection: "true" }, /deletionProtection .*one of auto, on, off/],
        ["an access token shorter than Cognito allows", { accessTokenMinutes: "4" }, /accessTokenMinutes .*from 5 to 1440/],
        ["a refresh token over ten years", { refreshTokenDays: "3651" }, /refreshTokenDays .*from 1 to 3650/],
        ["a refresh token that does not outlast the access token", { accessTokenMinutes: "1440", refreshTokenDays: "1" }, /refreshTokenDays .*must outlast the access token.*\n +or in Pulumi.<stack>.yaml, under config:\n +gpt-action:refreshTokenDays: "30"$/],
        ["a reserved concurrency of 0", { lambdaReservedConcurrency: "0" }, /lambdaReservedConcurrency/],
    ];
    for (const [what, raw, message] of rejected) {
        it(`rejects ${what}, naming the fix`, () => {
            const problems = problemsOf(raw);
            expect(problems).to.have.lengthOf(1);
            expect(problems[0]).to.match(message);
            expect(problems[0]).to.match(/Fix: /);
            // Every command that sets a value is followed by the same edit in the stack file (a secret has none).
            if (/pulumi config set (?!--secret)/.test(problems[0])) {
                const forms = yamlForms(problems[0]);
                expect(forms, problems[0]).to.not.be.empty;
                expect(forms.every((form) => typeof form === "object" && form !== null), problems[0]).to.be.true;
            }
        });
    }

    it("reports every problem at once", () => {
        expect(problemsOf({ callbackUrl: "http://x.example", lambdaTimeout: "45", domainPrefix: "AWS" })).to.have.lengthOf(3);
    });

    it("accepts the documented edge values", () => {
        const config = parse({
            callbackUrl: "http://localhost:4000/callback",
            domainPrefix: "a",
            lambdaTimeout: "28",
            lambdaMemory: "10240",
            corsAllowOrigin: "https://chatgpt.com",
            scopes: "openid email",
            testUserEmail: "john.doe@example.com",
        });
        expect(config.lambdaTimeout).to.equal(28);
        expect(config.corsAllowOrigin).to.equal("https://chatgpt.com");
        expect(config.scopes).to.deep.equal(["openid", "email"]);
        expect(parse({ corsAllowOrigin: "" }).corsAllowOrigin).to.be.undefined;
    });

    it("derives a valid domain prefix base from any project and stack name", () => {
        for (const text of ["gpt-action-dev", "AWS_Prod", "my.amazon.cognito.stack", "---", "x".repeat(200), "Ünïcode stack", "aawsws", "cogawsnito"]) {
            const base = domainPrefixBase(text);
            expect(base.length, text).to.be.at.most(56);
            expect(domainPrefixProblem(`${base}-abc123`), text).to.be.undefined;
        }
        expect(domainPrefixBase("gpt-action-dev")).to.equal("gpt-action-dev");
    });

    it("fails before declaring any resource when the config is invalid", async () => {
        const resources: RecordedResource[] = [];
        let error: unknown;
        try {
            await runProgram({ callbackUrl: "http://example.org/cb" }, { resources });
        } catch (err) {
            error = err;
        }
        // A RunError: the Pulumi CLI prints its message alone, without a stack trace.
        expect(error).to.be.instanceOf(pulumi.RunError);
        expect((error as Error).message).to.match(/Invalid gpt-action configuration:\n {2}- callbackUrl = "http:\/\/example.org\/cb" must use https/);
        expect(resources).to.be.empty;
    });
});
