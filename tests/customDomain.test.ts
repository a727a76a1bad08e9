import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError, parseConfig } from "../infra/config";
import { changedInputs, resourceKey, restApiDocumentOf, runProgram, valueOf, type Run } from "./harness";
import { expectManagedLogin } from "./managedLogin";

const DOMAIN = JSON.stringify({ zone: "example.com" });
const CALLBACK = "https://chatgpt.com/aip/g-0123456789abcdef/oauth/callback";

describe("custom domains (ChatGPT's same-root-domain rule)", () => {
    let run: Run;
    before(async () => {
        run = await runProgram({ customDomain: DOMAIN, callbackUrl: CALLBACK });
    });

    it("moves the OAuth URLs, the API URL and the schema's server to hosts of the zone", async () => {
        expect(await valueOf(run.program.authorizationUrl)).to.equal("https://auth.example.com/oauth2/authorize");
        expect(await valueOf(run.program.tokenUrl)).to.equal("https://auth.example.com/oauth2/token");
        expect(await valueOf(run.program.apiUrl)).to.equal("https://api.example.com");
        const schema = JSON.parse(await valueOf(run.program.openApiSchema)) as { servers: Array<{ url: string }> };
        expect(schema.servers[0].url).to.equal("https://api.example.com");
    });

    it("serves the hosted UI on the custom host with a DNS-validated certificate from us-east-1", () => {
        // A per-resource region, so the stack's own provider settings and credentials still apply.
        expect(run.all("pulumi:providers:aws")).to.be.empty;
        const certificate = run.one("aws:acm/certificate:Certificate", "auth-certificate");
        expect(certificate.inputs).to.deep.include({ domainName: "auth.example.com", validationMethod: "DNS", region: "us-east-1" });
        expect(run.one("aws:acm/certificateValidation:CertificateValidation", "auth-certificate-validation").inputs.region).to.equal("us-east-1");
        expect(run.one("aws:acm/certificate:Certificate", "api-certificate").inputs.region).to.be.undefined;
        expect(run.one("aws:route53/record:Record", "auth-certificate-validation").inputs).to.deep.include({
            zoneId: "ZLOOKEDUP", name: "_x1.auth.example.com.", type: "CNAME", records: ["_y1.acm-validations.aws."],
        });
        expect(run.one("aws:cognito/userPoolDomain:UserPoolDomain").inputs).to.deep.include({
            domain: "auth.example.com",
            certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/gpt-action-auth-certificate",
        });
        expect(run.one("aws:route53/record:Record", "auth-alias").inputs).to.deep.include({
            zoneId: "ZLOOKEDUP", name: "auth.example.com", type: "A",
            aliases: [{ name: "d111111abcdef8.cloudfront.net", zoneId: "Z2FDTNDATAQYW2", evaluateTargetHealth: false }],
        });
        expect(run.all("random:index/randomString:RandomString")).to.be.empty;
    });

    it("serves managed login on the custom domain too, with a style for each app client", () => {
        expectManagedLogin(run);
    });

    it("gives every client the custom domain, so nothing needs the disabled execute-api host (H9)", async () => {
        const mcpServerUrl = run.program.mcpServerUrl;
        expect(mcpServerUrl).to.not.equal(undefined);
        expect(mcpServerUrl === undefined ? undefined : await valueOf(mcpServerUrl)).to.equal("https://api.example.com/mcp");
        const facade = (run.one("aws:lambda/function:Function", "gpt-action-oauth").inputs.environment as { variables: Record<string, string> }).variables;
        expect(facade.FACADE_ISSUER).to.equal("https://api.example.com");
        // No function, document or output names an execute-api host (ARNs, "arn:aws:execute-api:…", are not hosts;
        // the alias record's target is the custom domain's own regional host, d-….execute-api…).
        const declared = run.resources.filter((r) => r.type !== "aws:route53/record:Record").map((r) => JSON.stringify(r.inputs));
        const outputs = [await valueOf(run.program.apiUrl), await valueOf(run.program.openApiSchema), await valueOf(mcpServerUrl ?? run.program.apiUrl)];
        for (const text of [...declared, ...outputs]) {
            expect(text).to.not.match(/https:\/\/[^"]*\.execute-api\./);
        }
    });

    it("names the disabled execute-api URL in executeApiUrl only, for npm run smoke to check it is refused (H9)", async () => {
        const executeApiUrl = run.program.executeApiUrl;
        expect(executeApiUrl === undefined ? undefined : await valueOf(executeApiUrl)).to.equal("https://mockapi.execute-api.us-east-1.amazonaws.com/Prod");
        expect((await runProgram()).program.executeApiUrl).to.equal(undefined);
    });

    it("serves the stage at the root of the API host through a REGIONAL custom domain", () => {
        expect(run.one("aws:acm/certificate:Certificate", "api-certificate").inputs.domainName).to.equal("api.example.com");
        expect(run.one("aws:apigateway/domainName:DomainName").inputs).to.deep.include({
            domainName: "api.example.com",
            endpointConfiguration: { types: "REGIONAL", ipAddressType: "dualstack" },
            securityPolicy: "TLS_1_2",
        });
        // Every client is given https://api.example.com, so the execute-api host is off, on the RestApi and in the
        // document the overwrite import applies (H9; restApiDocument.ts, ApiLevelSettings).
        expect(run.one("aws:apigateway/restApi:RestApi").inputs.disableExecuteApiEndpoint).to.equal(true);
        expect(restApiDocumentOf(run).servers[0]["x-amazon-apigateway-endpoint-configuration"]).to.deep.equal({ disableExecuteApiEndpoint: true });
        expect(run.one("aws:apigateway/basePathMapping:BasePathMapping").inputs).to.deep.include({ restApi: "mockapi", stageName: "Prod", domainName: "api.example.com" });
        expect(run.one("aws:route53/record:Record", "api-alias").inputs).to.deep.include({
            name: "api.example.com", type: "A",
            aliases: [{ name: "d-mock.execute-api.us-east-1.amazonaws.com", zoneId: "ZMOCKREGIONAL", evaluateTargetHealth: false }],
        });
    });

    it("gives each custom host an AAAA alias beside its A alias, and the API's domain IPv6 (N2)", () => {
        const records = run.all("aws:route53/record:Record").filter((r) => r.name.includes("-alias"));
        const byHost = (type: string) => records.filter((r) => r.inputs.type === type).map((r) => [r.inputs.name, r.inputs.aliases]);
        expect(byHost("A")).to.have.lengthOf(2);
        // Same hosts, same targets, one AAAA for each A.
        expect(byHost("AAAA")).to.have.deep.members(byHost("A"));
        expect(run.one("aws:route53/record:Record", "auth-alias-ipv6").inputs).to.deep.include({ zoneId: "ZLOOKEDUP", name: "auth.example.com", type: "AAAA" });
        expect(run.one("aws:route53/record:Record", "api-alias-ipv6").inputs).to.deep.include({ zoneId: "ZLOOKEDUP", name: "api.example.com", type: "AAAA" });
        // An AAAA alias to an IPv4-only custom domain would resolve to nothing.
        expect(run.one("aws:apigateway/domainName:DomainName").inputs.endpointConfiguration).to.deep.equal({ types: "REGIONAL", ipAddressType: "dualstack" });
    });

    it("uses a given hosted zone id instead of looking the zone up", async () => {
        const given = await runProgram({ customDomain: JSON.stringify({ zone: "example.com", hostedZoneId: "Z0123456789ABC", authSubdomain: "login", apiSubdomain: "gpt.api" }) });
        expect(given.calls).to.be.empty;
        expect(run.calls).to.deep.equal(["aws:route53/getZone:getZone", "aws:route53/getZone:getZone"]);
        expect(given.one("aws:route53/record:Record", "auth-alias").inputs).to.deep.include({ zoneId: "Z0123456789ABC", name: "login.example.com" });
        expect(await valueOf(given.program.apiUrl)).to.equal("https://gpt.api.example.com");
    });

    it("keeps the callbackUrl-change promise: only the app client's callback URLs change", async () => {
        const after = await runProgram({ customDomain: DOMAIN, callbackUrl: "https://chatgpt.com/aip/g-fedcba9876543210/oauth/callback" });
        expect(after.resources.map(resourceKey)).to.have.members(run.resources.map(resourceKey));
        const changed = changedInputs(run, after);
        expect(changed).to.deep.equal(["aws:cognito/userPoolClient:UserPoolClient gpt-action-client.callbackUrls"]);
    });

    it("makes none of this without customDomain", async () => {
        const plain = await runProgram();
        for (const type of ["aws:acm/certificate:Certificate", "aws:route53/record:Record", "aws:apigateway/domainName:DomainName", "pulumi:providers:aws"]) {
            expect(plain.all(type), type).to.be.empty;
        }
    });

    it("tells the reader which A record Cognito needs: the parent of the hosted UI's host, not the zone's apex (D2)", () => {
        // Cognito refuses a custom domain whose parent has no A record ("Custom domain is not a valid subdomain",
        // Troubleshoot Amazon Cognito); for a multi-label authSubdomain that parent is not the zone's apex.
        const config = parseConfig({ customDomain: JSON.stringify({ zone: "example.com", authSubdomain: "login.gpt" }) }, "gpt-action", "dev");
        const host = config.customDomain?.auth.host ?? "";
        const parent = host.slice(host.indexOf(".") + 1);
        expect([host, parent]).to.deep.equal(["login.gpt.example.com", "gpt.example.com"]);
        const deploy = fs.readFileSync(path.join(__dirname, "..", "docs", "deploy.md"), "utf8").replace(/\s+/g, " ");
        expect(deploy).to.include(`the host \`${host}\` needs an A record on \`${parent}\``);
        expect(deploy).to.not.match(/the zone's apex \(`example\.com`\) needs an A record/);
    });

    it("takes a hosted-UI host of exactly 63 characters, Cognito's limit", () => {
        const zone = `${"a".repeat(46)}.example.com`;
        const config = parseConfig({ customDomain: JSON.stringify({ zone }) }, "gpt-action", "dev");
        expect(config.customDomain?.auth.host).to.have.lengthOf(63);
    });

    const bad: Array<[string, unknown, RegExp]> = [
        ["no zone", { authSubdomain: "auth" }, /needs a zone/],
        ["a zone that is not a domain", { zone: "localhost" }, /needs a zone/],
        ["an upper-case zone", { zone: "Example.com" }, /needs a zone/],
        ["a subdomain that is not a DNS label", { zone: "example.com", apiSubdomain: "api_v1" }, /not lower-case DNS labels/],
        ["the same host twice", { zone: "example.com", authSubdomain: "gpt", apiSubdomain: "gpt" }, /different hosts/],
        ["a hosted-UI host over 63 characters (Cognito's limit on a user pool domain)", { zone: `${"a".repeat(55)}.example.com` },
            /customDomain = .*auth\.a{55}\.example\.com 72 characters; Cognito takes a custom domain of at most 63/],
        ["a long authSubdomain that makes the hosted-UI host 64 characters", { zone: "example.com", authSubdomain: `${"b".repeat(40)}.${"c".repeat(11)}` },
            /64 characters; .*shorten authSubdomain/],
        ["a bad hosted zone id", { zone: "example.com", hostedZoneId: "abc" }, /hostedZoneId/],
        ["an unknown field", { zone: "example.com", certificateArn: "arn:x" }, /unknown fields certificateArn/],
        ["a string instead of an object", "example.com", /must be an object/],
    ];
    for (const [what, value, message] of bad) {
        it(`rejects ${what}`, () => {
            try {
                parseConfig({ customDomain: JSON.stringify(value) }, "gpt-action", "dev");
                expect.fail("accepted");
            } catch (error) {
                expect(error).to.be.instanceOf(ConfigError);
                expect((error as ConfigError).problems[0]).to.match(message).and.match(/^customDomain .*Fix: pulumi config set --path customDomain.zone/);
            }
        });
    }
});
