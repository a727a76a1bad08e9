import { expect } from "chai";
import { changedInputs, resourceKey, runProgram, valueOf, type Run } from "./harness";

const CALLBACK = "https://chatgpt.com/aip/g-0123456789abcdef/oauth/callback";

describe("stack outputs", () => {
    let run: Run;
    before(async () => {
        run = await runProgram({ callbackUrl: CALLBACK });
    });

    it("gives ChatGPT's OAuth settings", async () => {
        const p = run.program;
        expect(await valueOf(p.clientId)).to.equal("mockclientid");
        expect(await valueOf(p.authorizationUrl)).to.equal("https://gpt-action-dev-482913.auth.us-east-1.amazoncognito.com/oauth2/authorize");
        expect(await valueOf(p.tokenUrl)).to.equal("https://gpt-action-dev-482913.auth.us-east-1.amazoncognito.com/oauth2/token");
        expect(p.scope).to.equal("openid");
        expect(p.tokenExchangeMethod).to.equal("Basic authorization header");
        expect(p.callbackUrls).to.deep.equal([CALLBACK, "https://chat.openai.com/aip/g-0123456789abcdef/oauth/callback"]);
        expect(await valueOf(p.userPoolId)).to.equal("us-east-1_MockPool");
        expect(await valueOf(p.apiUrl)).to.equal("https://mockapi.execute-api.us-east-1.amazonaws.com/Prod");
    });

    it("requests every scope when openid is not among them", async () => {
        expect((await runProgram({ scopes: "aws.cognito.signin.user.admin" })).program.scope).to.equal("aws.cognito.signin.user.admin");
    });

    describe("openApiSchema", () => {
        let doc: {
            openapi: string;
            info: { title: string; version: string };
            servers: Array<{ url: string }>;
            paths: Record<string, Record<string, { operationId: string; summary: string; "x-openai-isConsequential": boolean; responses: Record<string, { content: Record<string, { schema: unknown }> }> }>>;
        };
        before(async () => {
            doc = JSON.parse(await valueOf(run.program.openApiSchema)) as typeof doc;
        });

        it("is an OpenAPI 3.1 document", () => {
            expect(doc.openapi).to.match(/^3\.1\.\d+$/);
            expect(doc.info.title).to.be.a("string").and.not.empty;
            expect(doc.info.version).to.be.a("string").and.not.empty;
        });

        it("points its server at the deployed stage", () => {
            expect(doc.servers).to.deep.equal([{ url: "https://mockapi.execute-api.us-east-1.amazonaws.com/Prod", description: "The deployed API Gateway stage" }]);
        });

        it("describes the cookbook's postSuccess operation with its response schema", () => {
            const op = doc.paths["/my_route"].post;
            expect(op).to.include({ operationId: "postSuccess", summary: "Returns a success message.", "x-openai-isConsequential": false });
            expect(op).to.not.have.property("requestBody");
            expect(op.responses["200"].content["application/json"].schema).to.deep.include({
                type: "object",
                properties: { success: { type: "boolean", description: "Always true when the call went through.", examples: [true] } },
                required: ["success"],
            });
        });

        it("describes request bodies and file responses from the route table's schemas", () => {
            const op = doc.paths["/reports/sales"].post as unknown as {
                operationId: string;
                requestBody: { required: boolean; content: Record<string, { schema: { properties: Record<string, Record<string, unknown>>; required: string[] } }> };
                responses: Record<string, { content: Record<string, { schema: { properties: Record<string, unknown> } }> }>;
            };
            expect(op.operationId).to.equal("getSalesReport");
            expect(op.requestBody.required).to.be.true;
            const request = op.requestBody.content["application/json"].schema;
            expect(request.required).to.deep.equal(["month"]);
            expect(request.properties.month).to.include({ type: "string", description: "The month to report on, as YYYY-MM." });
            expect(request.properties.region).to.deep.include({ enum: ["EMEA", "AMER", "APAC"] });
            expect(op.responses["200"].content["application/json"].schema.properties).to.have.property("openaiFileResponse");
            expect(JSON.stringify(doc)).to.not.include("$schema");
        });

        it("keeps every summary and description within ChatGPT's 300 characters", () => {
            for (const methods of Object.values(doc.paths)) {
                for (const op of Object.values(methods) as unknown as Array<{ summary: string; description: string }>) {
                    expect(op.summary.length).to.be.within(1, 300);
                    expect(op.description.length).to.be.within(1, 300);
                }
            }
        });

        it("follows the stage name", async () => {
            const v1 = JSON.parse(await valueOf((await runProgram({ stageName: "v1" })).program.openApiSchema)) as typeof doc;
            expect(v1.servers[0].url).to.equal("https://mockapi.execute-api.us-east-1.amazonaws.com/v1");
        });
    });
});

describe("changing callbackUrl (the design card's promise)", () => {
    it("changes only the app client's callback URLs, with the same resources and names", async () => {
        const before = await runProgram({ callbackUrl: CALLBACK });
        const after = await runProgram({ callbackUrl: "https://chatgpt.com/aip/g-fedcba9876543210/oauth/callback" });
        expect(after.resources.map(resourceKey)).to.have.members(before.resources.map(resourceKey));
        expect(changedInputs(before, after)).to.deep.equal(["aws:cognito/userPoolClient:UserPoolClient gpt-action-client.callbackUrls"]);
    });

    it("does not change the bundled code between runs", async () => {
        const text = async (r: Run) => {
            const archive = r.one("aws:lambda/function:Function", "-handler").inputs.code as { assets: Promise<Record<string, { text: Promise<string> }>> };
            return (await (await archive.assets)["index.js"].text);
        };
        expect(await text(await runProgram())).to.equal(await text(await runProgram({ callbackUrl: CALLBACK })));
    });
});
