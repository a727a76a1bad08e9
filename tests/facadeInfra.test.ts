/**
 * The OAuth facade's infrastructure under mocks: its own function, role and state key (in Secrets Manager), its public routes in the
 * API's document and its own permission, and nothing of it without MCP.
 */
import { expect } from "chai";
import { CORS_PATHS } from "../handler/facade/cors";
import { FACADE_ENV, readFacadeSettings } from "../handler/facade/settings";
import { mcpScope, mcpServerUrl } from "../infra/mcpMetadata";
import { FACADE_METHODS } from "../handler/facade/paths";
import { archiveFiles, restApiDocumentOf, runProgram, type RecordedResource, type Run } from "./harness";

const FUNCTION = "aws:lambda/function:Function";
const API_URL = "https://mockapi.execute-api.us-east-1.amazonaws.com/Prod";
const FACADE_INVOKE_ARN = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:gpt-action-oauth/invocations";

const SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:gpt-action-oauth-state-key-AbCdEf";

const variables = (fn: RecordedResource) => (fn.inputs.environment as { variables: Record<string, string> }).variables;

describe("OAuth facade (infrastructure)", () => {
    let run: Run;
    let facade: RecordedResource;
    before(async () => {
        // A VPC for the API's function: the facade still stays out of it (it reaches Cognito and client documents).
        run = await runProgram({ vpc: JSON.stringify({ create: true }) });
        facade = run.one(FUNCTION, "gpt-action-oauth");
    });

    it("runs handler/facade alone, on Node.js 24, arm64, outside any VPC", async () => {
        expect(facade.inputs).to.deep.include({ runtime: "nodejs24.x", architectures: ["arm64"], handler: "index.handler", timeout: 15 });
        expect(facade.inputs.vpcConfig).to.be.undefined;
        expect(run.one(FUNCTION, "-handler").inputs.vpcConfig).to.not.be.undefined;
        const files = await archiveFiles(facade);
        // clientAssertion.js: jose and the private_key_jwt verifier, loaded on a client's first assertion only.
        expect(Object.keys(files)).to.have.members(["index.js", "index.js.map", "clientAssertion.js", "clientAssertion.js.map"]);
        expect(files["index.js"]).to.include(FACADE_ENV.stateKeySecretArn);
        // Neither the route table's operations nor the MCP SDK.
        expect(files["index.js"]).to.not.include("getSalesReport");
        expect(files["index.js"]).to.not.include("modelcontextprotocol");
        // It signs its one AWS call itself: no AWS SDK, bundled or required from the runtime.
        expect(files["index.js"]).to.not.include("@aws-sdk");
    });

    it("may only write its own logs (and traces) and read its key's secret", () => {
        const policy = JSON.parse(String(run.one("aws:iam/rolePolicy:RolePolicy", "gpt-action-oauth-logs-policy").inputs.policy)) as { Statement: Array<{ Action: string[]; Resource: string }> };
        expect(policy.Statement.map((s) => s.Action).flat()).to.have.members([
            "logs:CreateLogStream", "logs:PutLogEvents", "xray:PutTraceSegments", "xray:PutTelemetryRecords", "secretsmanager:GetSecretValue",
        ]);
        expect(policy.Statement[0].Resource).to.equal("arn:aws:logs:us-east-1:123456789012:log-group:gpt-action-oauth-logs:*");
        expect(facade.inputs.role).to.equal("arn:aws:iam::123456789012:role/gpt-action-oauth-role");
    });

    it("keeps its state key in Secrets Manager, the RandomBytes its one source, as a Pulumi secret", () => {
        expect(run.one("random:index/randomBytes:RandomBytes").inputs.length).to.equal(32);
        const secret = run.one("aws:secretsmanager/secret:Secret");
        // The AWS managed key (no kmsKeyId): reading needs no kms:Decrypt, and the role has none.
        expect(secret.inputs.kmsKeyId).to.be.undefined;
        const version = run.one("aws:secretsmanager/secretVersion:SecretVersion");
        expect(version.inputs.secretId).to.equal(SECRET_ARN);
        // 32 random bytes (the mock's 0xfb), base64url without padding, and a Pulumi secret.
        expect(version.inputs.secretString).to.equal(Buffer.alloc(32, 0xfb).toString("base64url")).and.match(/^[A-Za-z0-9_-]{43}$/);
        expect(version.secretInputs).to.include("secretString");
    });

    it("grants exactly one read of that secret, to the facade's role only", () => {
        const grants = run.all("aws:iam/rolePolicy:RolePolicy").flatMap((p) => {
            const policy = JSON.parse(String(p.inputs.policy)) as { Statement: Array<{ Action: string[]; Resource: unknown }> };
            return policy.Statement.filter((s) => s.Action.some((a) => a.startsWith("secretsmanager:") || a.startsWith("kms:"))).map((s) => ({ role: p.inputs.role, ...s }));
        });
        expect(grants).to.deep.equal([{ role: "gpt-action-oauth-role", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: SECRET_ARN }]);
    });

    it("carries no key material in any function's environment, only the secret's ARN", () => {
        const key = Buffer.alloc(32, 0xfb);
        const forms = [key.toString("base64"), key.toString("base64url"), key.toString("hex")];
        for (const fn of run.all(FUNCTION)) {
            for (const [name, value] of Object.entries(variables(fn))) {
                for (const form of forms) {
                    expect(value, `${fn.name} ${name}`).to.not.include(form).and.not.include(form.slice(0, 16));
                }
            }
        }
        expect(variables(facade)).to.not.have.property("FACADE_STATE_KEY");
        expect(variables(facade)[FACADE_ENV.stateKeySecretArn]).to.equal(SECRET_ARN);
        // The version it reads: a rotation changes it, so Lambda starts instances that read the new key.
        expect(variables(facade)[FACADE_ENV.stateKeyVersionId]).to.equal("a1b2c3d4-5678-90ab-cdef-EXAMPLE11111");
        // Nothing secret is left in it, so previews show it.
        expect(facade.secretInputs).to.not.include("environment");
    });

    it("gets every setting it reads", () => {
        const env = variables(facade);
        for (const name of Object.values(FACADE_ENV)) {
            expect(env[name], name).to.be.a("string").and.not.equal("");
        }
        expect(env).to.include({
            [FACADE_ENV.issuer]: API_URL,
            [FACADE_ENV.cognitoTokenUrl]: "https://gpt-action-dev-482913.auth.us-east-1.amazoncognito.com/oauth2/token",
        });
        // Callback, scope and resource follow from the issuer (settings.ts), as the MCP metadata names them.
        const settings = readFacadeSettings(env);
        expect([settings.callbackUrl, settings.scope, settings.resource]).to.deep.equal([`${API_URL}/oauth/callback`, mcpScope(API_URL), mcpServerUrl(API_URL)]);
        expect(settings.stateKeySecretArn).to.equal(SECRET_ARN);
    });

    it("serves its five endpoints publicly from the API's document, proxied to itself", () => {
        const paths = restApiDocumentOf(run).paths;
        for (const [path, method] of Object.entries(FACADE_METHODS)) {
            // The token and revocation endpoints also answer their CORS preflight, API Gateway's own MOCK (tests/facadeTokens.test.ts).
            expect(Object.keys(paths[path]), path).to.deep.equal([method.toLowerCase(), ...(CORS_PATHS.includes(path) ? ["options"] : [])]);
            const operation = paths[path][method.toLowerCase()];
            expect(operation.security, path).to.be.undefined;
            expect(operation["x-amazon-apigateway-integration"], path).to.deep.include({ type: "aws_proxy", httpMethod: "POST", uri: FACADE_INVOKE_ARN });
        }
    });

    it("may be invoked by this API's stage under /oauth only", () => {
        expect(run.one("aws:lambda/permission:Permission", "gpt-action-oauth-permission").inputs).to.deep.equal({
            action: "lambda:InvokeFunction",
            function: "gpt-action-oauth",
            principal: "apigateway.amazonaws.com",
            sourceArn: "arn:aws:execute-api:us-east-1:123456789012:mockapi/Prod/*/oauth/*",
        });
    });

    it("refuses a metadata document URL that is not https with a path, naming the fix", async () => {
        let error: unknown;
        try {
            await runProgram({ mcpClientMetadataUrls: JSON.stringify(["https://chatgpt.com/oauth/client.json", "http://evil.example/client.json"]) });
        } catch (err) {
            error = err;
        }
        expect(String(error)).to.match(/mcpClientMetadataUrls\[1\] = "http:\/\/evil.example\/client.json" must be an https URL.*Fix: pulumi config set --path 'mcpClientMetadataUrls\[1\]'/);
    });

    it("is not made without MCP", async () => {
        const gptOnly = await runProgram({ mcp: "false" });
        expect(gptOnly.all(FUNCTION).map((f) => f.name)).to.deep.equal(["gpt-action-handler"]);
        expect(gptOnly.all("random:index/randomBytes:RandomBytes")).to.be.empty;
        expect(gptOnly.all("aws:secretsmanager/secret:Secret")).to.be.empty;
        expect(Object.keys(restApiDocumentOf(gptOnly).paths).filter((p) => p.startsWith("/oauth"))).to.be.empty;
        expect(gptOnly.all("aws:lambda/permission:Permission")).to.have.lengthOf(1);
    });
});
