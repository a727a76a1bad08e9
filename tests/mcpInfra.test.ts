/**
 * The MCP surface's infrastructure under mocks: the resource server and MCP app client, /mcp behind the authorizer
 * with the MCP scope, the public discovery documents (MOCK methods, their exact JSON), the 401 challenge, the
 * outputs and the callback promise; and `mcp: false` making none of it.
 */
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { DEFAULT_CLIENT_METADATA_URLS } from "../handler/facade/settings";
import { PLACEHOLDER_CALLBACK_URL } from "../infra/callbacks";
import { authorizationServerMetadata, MCP_METADATA_PATHS, protectedResourceMetadata } from "../infra/mcpMetadata";
import { AUTHORIZER_NAME } from "../infra/restApiDocument";
import { yamlForms } from "./yamlForm";
import { changedInputs, resourceKey, restApiDocumentOf, runProgram, valueOf, type RecordedResource, type Run } from "./harness";

const CLIENT = "aws:cognito/userPoolClient:UserPoolClient";
const RESOURCE_SERVER = "aws:cognito/resourceServer:ResourceServer";
const API_URL = "https://mockapi.execute-api.us-east-1.amazonaws.com/Prod";
const MCP_URL = `${API_URL}/mcp`;
const MCP_SCOPE = `${MCP_URL}/tools`;
const MCP_CALLBACK = "https://chatgpt.com/connector/oauth/abc123def456";
const FACADE_CALLBACK = `${API_URL}/oauth/callback`;
const FACADE = "aws:lambda/function:Function";

/** The OAuth facade function's environment. */
const facadeEnv = (r: Run) => (r.one(FACADE, "gpt-action-oauth").inputs.environment as { variables: Record<string, string> }).variables;

describe("MCP surface (infrastructure)", () => {
    let run: Run;
    before(async () => {
        run = await runProgram({ mcpCallbackUrl: MCP_CALLBACK });
    });

    it("names a resource server after the MCP URL, with the tools scope", () => {
        expect(run.one(RESOURCE_SERVER).inputs).to.deep.equal({
            userPoolId: "us-east-1_MockPool",
            identifier: MCP_URL,
            name: "MCP server",
            scopes: [{ scopeName: "tools", scopeDescription: "List and call the MCP server's tools" }],
        });
    });

    it("makes a confidential code-flow client allowed only the MCP scope, whose one callback at Cognito is the OAuth facade's", () => {
        const client = run.one(CLIENT, "gpt-action-mcp-client");
        expect(client.inputs).to.deep.include({
            userPoolId: "us-east-1_MockPool",
            generateSecret: true,
            allowedOauthFlowsUserPoolClient: true,
            allowedOauthFlows: ["code"],
            allowedOauthScopes: [MCP_SCOPE],
            callbackUrls: [FACADE_CALLBACK],
            preventUserExistenceErrors: "ENABLED",
            explicitAuthFlows: ["ALLOW_REFRESH_TOKEN_AUTH"],
            enableTokenRevocation: true,
        });
        // Confidential: its refresh tokens need its secret, so they do not rotate (infra/refreshTokens.ts).
        expect(client.inputs).to.not.have.property("refreshTokenRotation");
        expect(run.dependenciesOf(client).some((urn) => urn.endsWith("::gpt-action-mcp-resource-server"))).to.be.true;
        // The GPT Action's client cannot obtain the MCP scope.
        expect(run.one(CLIENT, "gpt-action-client").inputs.allowedOauthScopes).to.not.include(MCP_SCOPE);
        // Its own redirect URIs are the facade's to check (exactly, with PKCE S256).
        expect(JSON.parse(facadeEnv(run).FACADE_STATIC_CLIENTS)).to.deep.equal({ mockmcpclientid: [MCP_CALLBACK] });
    });

    it("makes one public client for every client with a metadata document, the MCP scope only, the facade's callback only", () => {
        expect(run.one(CLIENT, "gpt-action-mcp-cimd-client").inputs).to.deep.include({
            generateSecret: false,
            allowedOauthFlowsUserPoolClient: true,
            allowedOauthFlows: ["code"],
            allowedOauthScopes: [MCP_SCOPE],
            callbackUrls: [FACADE_CALLBACK],
            explicitAuthFlows: ["ALLOW_ADMIN_USER_PASSWORD_AUTH"],
            enableTokenRevocation: true,
        });
        expect(facadeEnv(run)).to.include({ FACADE_SHADOW_CLIENT_ID: "mockcimdclientid", FACADE_CLIENT_METADATA_URLS: JSON.stringify(DEFAULT_CLIENT_METADATA_URLS) });
    });

    it("makes a public client, without a secret, when mcpPublicClient is true", async () => {
        const publicRun = await runProgram({ mcpPublicClient: "true" });
        expect(publicRun.one(CLIENT, "gpt-action-mcp-client").inputs.generateSecret).to.be.false;
        expect(publicRun.program.mcpClientSecret).to.be.undefined;
    });

    it("puts every verb of /mcp behind the Cognito authorizer with the MCP scope only, proxied to the function", () => {
        const document = restApiDocumentOf(run);
        expect(Object.keys(document.paths["/mcp"])).to.have.members(["x-amazon-apigateway-any-method", "options"]);
        const mcp = document.paths["/mcp"]["x-amazon-apigateway-any-method"];
        expect(mcp.security).to.deep.equal([{ [AUTHORIZER_NAME]: [MCP_SCOPE] }]);
        expect(mcp["x-amazon-apigateway-integration"]).to.deep.include({ type: "aws_proxy", httpMethod: "POST" });
        // The API's one permission covers it (this API's stage only).
        expect(run.one("aws:lambda/permission:Permission", "gpt-action-permission").inputs.sourceArn).to.equal("arn:aws:execute-api:us-east-1:123456789012:mockapi/Prod/*/*");
        // The GPT routes keep their own scopes, so an MCP token does not pass them.
        for (const [path, item] of Object.entries(document.paths).filter(([p]) => p !== "/mcp")) {
            for (const operation of Object.values(item)) {
                expect(JSON.stringify(operation.security ?? []), path).to.not.include(MCP_SCOPE);
            }
        }
    });

    it("tells the function the MCP client's id", () => {
        const env = (run.one("aws:lambda/function:Function", "-handler").inputs.environment as { variables: Record<string, string> }).variables;
        expect(env).to.include({ APP_CLIENT_ID: "mockclientid", MCP_CLIENT_ID: "mockmcpclientid" });
    });

    /** The document a metadata path answers with, from its MOCK integration's response template. */
    const documentAt = (r: Run, path: string): unknown => {
        const responses = restApiDocumentOf(r).paths[path].get["x-amazon-apigateway-integration"].responses;
        return JSON.parse(responses?.default.responseTemplates?.["application/json"] ?? "null");
    };

    it("serves each discovery document publicly from API Gateway itself (MOCK GETs)", () => {
        const paths = [...MCP_METADATA_PATHS.protectedResource, ...MCP_METADATA_PATHS.authorizationServer];
        const document = restApiDocumentOf(run);
        for (const path of paths) {
            const get = document.paths[path].get;
            expect(get.security, path).to.be.undefined;
            expect(get["x-amazon-apigateway-integration"], path).to.deep.include({
                type: "mock",
                requestTemplates: { "application/json": '{"statusCode": 200}' },
                passthroughBehavior: "when_no_templates",
            });
            const response = get["x-amazon-apigateway-integration"].responses?.default;
            expect(response?.statusCode, path).to.equal("200");
            expect(response?.responseParameters, path).to.deep.include({ "method.response.header.Access-Control-Allow-Origin": "'*'" });
            // Nothing else at a metadata path: no function behind it.
            expect(Object.keys(document.paths[path]), path).to.deep.equal(["get"]);
        }
    });

    it("publishes the protected resource metadata (RFC 9728) naming the MCP URL, this issuer and the scope", () => {
        const expected = {
            resource: MCP_URL,
            authorization_servers: [API_URL],
            scopes_supported: [MCP_SCOPE],
            bearer_methods_supported: ["header"],
            resource_name: "gpt-action MCP server",
        };
        for (const path of MCP_METADATA_PATHS.protectedResource) {
            expect(documentAt(run, path), path).to.deep.equal(expected);
        }
        expect(protectedResourceMetadata(API_URL, MCP_SCOPE)).to.deep.equal(expected);
    });

    it("publishes authorization server metadata (RFC 8414) pointing at the OAuth facade, with S256 PKCE, CIMD and iss", () => {
        const expected = authorizationServerMetadata(API_URL, MCP_SCOPE, "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_MockPool/.well-known/jwks.json");
        for (const path of MCP_METADATA_PATHS.authorizationServer) {
            expect(documentAt(run, path), path).to.deep.equal(expected);
        }
        expect(expected).to.deep.include({
            issuer: API_URL,
            authorization_endpoint: `${API_URL}/oauth/authorize`,
            token_endpoint: `${API_URL}/oauth/token`,
            revocation_endpoint: `${API_URL}/oauth/revoke`,
            code_challenge_methods_supported: ["S256"],
            response_types_supported: ["code"],
            authorization_response_iss_parameter_supported: true,
            client_id_metadata_document_supported: true,
        });
        // RFC 9207 §2.4: the `iss` the facade sends is the metadata's issuer, exactly.
        expect(facadeEnv(run).FACADE_ISSUER).to.equal(API_URL);
    });

    it("answers a 401 with a challenge naming the protected resource metadata and the scope (RFC 9728 §5.1)", () => {
        const unauthorized = restApiDocumentOf(run)["x-amazon-apigateway-gateway-responses"].UNAUTHORIZED;
        expect(unauthorized.responseParameters["gatewayresponse.header.WWW-Authenticate"]).to.equal(
            `'Bearer resource_metadata="${API_URL}/.well-known/oauth-protected-resource/mcp", scope="${MCP_SCOPE}"'`);
        // With CORS on, a browser-based client may read it.
        expect(unauthorized.responseParameters).to.deep.include({ "gatewayresponse.header.Access-Control-Expose-Headers": "'WWW-Authenticate'" });
    });

    it("redeploys when the documents change", async () => {
        const trigger = (r: Run) => (r.one("aws:apigateway/deployment:Deployment").inputs.triggers as Record<string, string>).redeployment;
        expect(trigger(await runProgram({ stageName: "v2" }))).to.not.equal(trigger(run));
    });

    it("exports the MCP server URL, client id, secret (as a secret) and callback URLs", async () => {
        const p = run.program;
        expect(await valueOf(p.mcpServerUrl as pulumi.Output<string>)).to.equal(MCP_URL);
        expect(await valueOf(p.mcpClientId as pulumi.Output<string>)).to.equal("mockmcpclientid");
        expect(await pulumi.isSecret(p.mcpClientSecret as pulumi.Output<string>)).to.be.true;
        expect(await valueOf(p.mcpClientSecret as pulumi.Output<string>)).to.equal("mock-mcp-client-secret");
        expect(p.mcpCallbackUrls).to.deep.equal([MCP_CALLBACK]);
    });

    it("needs no MCP callback URL: nothing stands in for one, and nextStep asks for one only without a metadata document", async () => {
        const first = await runProgram();
        expect(first.one(CLIENT, "gpt-action-mcp-client").inputs.callbackUrls).to.deep.equal([FACADE_CALLBACK]);
        expect(JSON.parse(facadeEnv(first).FACADE_STATIC_CLIENTS)).to.deep.equal({ mockmcpclientid: [] });
        expect(first.program.nextStep ?? "").to.not.match(/mcpCallbackUrl/);
        const noCimd = await runProgram({ mcpClientMetadataUrls: "[]" });
        expect(noCimd.program.nextStep).to.match(/pulumi config set mcpCallbackUrl <url> && pulumi up/);
        expect(yamlForms(noCimd.program.nextStep ?? "")).to.deep.include({ "gpt-action:mcpCallbackUrl": "<url>" });
        expect(JSON.parse(facadeEnv(noCimd).FACADE_CLIENT_METADATA_URLS)).to.deep.equal([]);
        expect((JSON.parse(facadeEnv(noCimd).FACADE_STATIC_CLIENTS) as Record<string, string[]>).mockmcpclientid).to.not.include(PLACEHOLDER_CALLBACK_URL);
    });

    it("keeps the promise: a new MCP callback URL changes only the facade's list of them", async () => {
        const after = await runProgram({ mcpCallbackUrl: "https://chatgpt.com/connector/oauth/fedcba654321" });
        expect(after.resources.map(resourceKey)).to.have.members(run.resources.map(resourceKey));
        expect(changedInputs(run, after)).to.deep.equal([`${FACADE} gpt-action-oauth.environment`]);
        expect(JSON.parse(facadeEnv(after).FACADE_STATIC_CLIENTS)).to.deep.equal({ mockmcpclientid: ["https://chatgpt.com/connector/oauth/fedcba654321"] });
    });

    it("takes the list form too, and validates it like callbackUrls", async () => {
        const listed = await runProgram({ mcpCallbackUrls: JSON.stringify(["https://claude.ai/api/mcp/auth_callback", "http://localhost:6274/oauth/callback"]) });
        expect(JSON.parse(facadeEnv(listed).FACADE_STATIC_CLIENTS)).to.deep.equal({
            mockmcpclientid: ["https://claude.ai/api/mcp/auth_callback", "http://localhost:6274/oauth/callback"],
        });
        let error: unknown;
        try {
            await runProgram({ mcpCallbackUrl: "http://example.com/cb" });
        } catch (err) {
            error = err;
        }
        expect(String(error)).to.match(/mcpCallbackUrl = "http:\/\/example.com\/cb" must use https:\/\/.*Fix: pulumi config set mcpCallbackUrl/);
    });

    it("serves the MCP URL on the custom API host", async () => {
        const custom = await runProgram({ customDomain: JSON.stringify({ zone: "example.com" }) });
        expect(custom.one(RESOURCE_SERVER).inputs.identifier).to.equal("https://api.example.com/mcp");
        expect(await valueOf(custom.program.mcpServerUrl as pulumi.Output<string>)).to.equal("https://api.example.com/mcp");
        const document = documentAt(custom, "/.well-known/oauth-authorization-server") as { issuer: string };
        // RFC 8414 §3.1: for an issuer at the host's root, exactly this path is where clients look.
        expect(document.issuer).to.equal("https://api.example.com");
    });
});

describe("mcp: false", () => {
    let run: Run;
    before(async () => {
        run = await runProgram({ mcp: "false" });
    });

    it("makes a GPT-Action-only stack: no resource server, MCP client, /mcp or metadata", () => {
        const mcpish = (r: RecordedResource) => /mcp|metadata|well-known/.test(r.name) || r.type === RESOURCE_SERVER;
        expect(run.resources.filter(mcpish).map(resourceKey)).to.be.empty;
        expect(Object.keys(restApiDocumentOf(run).paths).filter((path) => /mcp|well-known/.test(path))).to.be.empty;
        expect(run.all(CLIENT)).to.have.lengthOf(1);
        const env = (run.one("aws:lambda/function:Function", "-handler").inputs.environment as { variables: Record<string, string> }).variables;
        expect(env).to.not.have.property("MCP_CLIENT_ID");
    });

    it("exports no MCP outputs", () => {
        expect(run.program.mcpServerUrl).to.be.undefined;
        expect(run.program.mcpClientId).to.be.undefined;
        expect(run.program.mcpClientSecret).to.be.undefined;
        expect(run.program.mcpCallbackUrls).to.be.undefined;
    });
});
