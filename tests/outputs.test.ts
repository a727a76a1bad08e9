import { expect } from "chai";
import { runProgram, valueOf, type Run } from "./harness";

const CALLBACK = "https://chatgpt.com/aip/g-0123456789abcdef/oauth/callback";

describe("stack outputs", () => {
    let run: Run;
    before(async () => {
        run = await runProgram({ callbackUrl: CALLBACK });
    });

    it("gives ChatGPT's OAuth settings", async () => {
        const p = run.program;
        expect(await valueOf(p.clientId)).to.equal("mockclientid");
        expect(await valueOf(p.authorizationUrl)).to.equal("https://gpt-action-dev-k3x9q2.auth.us-east-1.amazoncognito.com/oauth2/authorize");
        expect(await valueOf(p.tokenUrl)).to.equal("https://gpt-action-dev-k3x9q2.auth.us-east-1.amazoncognito.com/oauth2/token");
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
            paths: Record<string, Record<string, { operationId: string; responses: Record<string, { content: Record<string, { schema: unknown }> }> }>>;
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
            expect(op.operationId).to.equal("postSuccess");
            expect(op.responses["200"].content["application/json"].schema).to.deep.include({
                type: "object",
                properties: { success: { type: "boolean", example: true } },
            });
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
        const key = (r: { type: string; name: string }) => `${r.type} ${r.name}`;
        expect(after.resources.map(key)).to.have.members(before.resources.map(key));

        const changed: string[] = [];
        for (const old of before.resources) {
            const now = after.resources.find((r) => key(r) === key(old));
            const keys = new Set([...Object.keys(old.inputs), ...Object.keys(now?.inputs ?? {})]);
            for (const input of keys) {
                if (JSON.stringify(old.inputs[input]) !== JSON.stringify(now?.inputs[input])) {
                    changed.push(`${key(old)}.${input}`);
                }
            }
        }
        expect(changed).to.deep.equal(["aws:cognito/userPoolClient:UserPoolClient gpt-action-client.callbackUrls"]);
    });

    it("does not change the bundled code between runs", async () => {
        const text = async (r: Run) => {
            const archive = r.one("aws:lambda/function:Function").inputs.code as { assets: Promise<Record<string, { text: Promise<string> }>> };
            return (await (await archive.assets)["index.js"].text);
        };
        expect(await text(await runProgram())).to.equal(await text(await runProgram({ callbackUrl: CALLBACK })));
    });
});
