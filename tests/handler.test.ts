import type { APIGatewayProxyEvent } from "aws-lambda";
import { expect } from "chai";
import { Module } from "node:module";
import { handler } from "../handler";
import { bundleHandler } from "../infra/bundle";

/** A proxy event as API Gateway sends it for `method resource`. */
function event(method: string, resource: string, body: string | null = "{}"): APIGatewayProxyEvent {
    return {
        httpMethod: method,
        resource,
        path: resource,
        body,
        isBase64Encoded: false,
        headers: { "Content-Type": "application/json" },
        multiValueHeaders: {},
        pathParameters: null,
        queryStringParameters: null,
        multiValueQueryStringParameters: null,
        stageVariables: null,
        requestContext: {} as APIGatewayProxyEvent["requestContext"],
    };
}

describe("handler", () => {
    afterEach(() => {
        delete process.env.CORS_ALLOW_ORIGIN;
    });

    it("answers POST /my_route with {\"success\": true}", async () => {
        const result = await handler(event("POST", "/my_route"));
        expect(result.statusCode).to.equal(200);
        expect(result.headers).to.deep.include({ "Content-Type": "application/json" });
        expect(JSON.parse(result.body)).to.deep.equal({ success: true });
    });

    it("answers an unknown route with a JSON 404", async () => {
        const result = await handler(event("GET", "/nope"));
        expect(result.statusCode).to.equal(404);
        expect(JSON.parse(result.body)).to.have.nested.property("error.code", "not_found");
    });

    it("adds the CORS origin it is configured with", async () => {
        process.env.CORS_ALLOW_ORIGIN = "https://chatgpt.com";
        const result = await handler(event("POST", "/my_route"));
        expect(result.headers).to.deep.include({ "Access-Control-Allow-Origin": "https://chatgpt.com" });
    });
});

describe("handler bundle", () => {
    it("is a self-contained CommonJS module whose handler Lambda can call", async () => {
        const { code } = bundleHandler();
        const mod = new Module("index.js");
        // Only Node's built-ins may be required: everything else must be inside the bundle.
        mod.require = ((id: string) => {
            if (!id.startsWith("node:") && !Module.isBuiltin(id)) {
                throw new Error(`bundle requires ${id}`);
            }
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            return require(id) as unknown;
        }) as NodeJS.Require;
        (mod as unknown as { _compile(code: string, file: string): void })._compile(code, "index.js");
        const bundled = (mod.exports as { handler: typeof handler }).handler;
        const result = await bundled(event("POST", "/my_route"));
        expect(JSON.parse(result.body)).to.deep.equal({ success: true });
    });

    it("is the same on every build", () => {
        expect(bundleHandler()).to.deep.equal(bundleHandler());
    });
});
