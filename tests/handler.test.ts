import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import { expect } from "chai";
import fc from "fast-check";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { Module } from "node:module";
import * as os from "node:os";
import * as nodePath from "node:path";
import { handler, UNREADABLE_METHOD } from "../handler";
import { okResult } from "../handler/http";
import { logSink } from "../handler/log";
import { operations } from "../handler/operations";
import { routeList, routes } from "../handler/routes";
import { bundleHandler, clearBundleCache } from "../infra/bundle";
import { proxyEvent } from "./proxyEvent";

const CLIENT_ID = "test-app-client";
const CLAIMS = { sub: "user-sub-1", token_use: "access", client_id: CLIENT_ID, scope: "openid", username: "john" };
const SECRET_MARKER = "s3cr3t-marker";

interface EventOptions {
    method?: string;
    path?: string;
    body?: string | null;
    contentType?: string | null;
    isBase64Encoded?: boolean;
    claims?: Record<string, string> | null;
}

/** A proxy event as API Gateway sends it after the Cognito authorizer let it through. */
function event(options: EventOptions = {}): APIGatewayProxyEvent {
    const path = options.path ?? "/my_route";
    const headers: Record<string, string> = { Authorization: `Bearer ${SECRET_MARKER}-token` };
    if (options.contentType !== null) {
        headers["Content-Type"] = options.contentType ?? "application/json";
    }
    return proxyEvent({
        method: options.method ?? "POST",
        resource: path,
        body: options.body === undefined ? "{}" : options.body,
        isBase64Encoded: options.isBase64Encoded,
        headers,
        claims: options.claims === null ? undefined : options.claims ?? CLAIMS,
    });
}

const context = { awsRequestId: "lambda-request-1" } as Context;

/** Runs the handler, returning its result, its parsed body and the log lines it wrote. */
async function call(e: unknown): Promise<{ result: APIGatewayProxyResult; body: Record<string, unknown>; logs: Array<Record<string, unknown>> }> {
    const lines: string[] = [];
    const write = logSink.write;
    logSink.write = (line) => lines.push(line);
    try {
        const result = await handler(e as APIGatewayProxyEvent, context);
        return { result, body: JSON.parse(result.body) as Record<string, unknown>, logs: lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
    } finally {
        logSink.write = write;
    }
}

/** Asserts a `{ error: { code, message } }` response with `status` and `code`. */
async function expectError(e: unknown, status: number, code: string): Promise<string> {
    const { result, body } = await call(e);
    expect(result.statusCode, result.body).to.equal(status);
    expect(result.headers).to.deep.include({ "Content-Type": "application/json" });
    const error = body.error as { code: string; message: string };
    expect(error.code).to.equal(code);
    expect(error.message).to.be.a("string").and.not.empty;
    return error.message;
}

const salesBody = (value: unknown) => JSON.stringify(value);

/** Replaces one operation for the length of `run`. */
async function withOperation<T>(name: keyof typeof operations, fn: () => unknown, run: () => Promise<T>): Promise<T> {
    const ops = operations as unknown as Record<string, unknown>;
    const original = ops[name];
    ops[name] = fn;
    try {
        return await run();
    } finally {
        ops[name] = original;
    }
}

describe("handler", () => {
    beforeEach(() => {
        process.env.APP_CLIENT_ID = CLIENT_ID;
        delete process.env.CORS_ALLOW_ORIGIN;
    });
    after(() => {
        delete process.env.APP_CLIENT_ID;
    });

    describe("routes", () => {
        it("binds exactly one function to each route of the table", () => {
            expect(Object.keys(operations)).to.have.members(Object.keys(routes));
        });

        it("answers POST /my_route with {\"success\": true}", async () => {
            const { result, body } = await call(event());
            expect(result.statusCode).to.equal(200);
            expect(body).to.deep.equal({ success: true });
        });

        it("ignores the body of a route that takes none, as curl -d {} sends it", async () => {
            const { result } = await call(event({ body: "{}", contentType: "application/x-www-form-urlencoded" }));
            expect(result.statusCode).to.equal(200);
        });

        it("returns the sales report as a CSV file in openaiFileResponse", async () => {
            const { result, body } = await call(event({ path: "/reports/sales", body: salesBody({ month: "2026-10" }) }));
            expect(result.statusCode).to.equal(200);
            expect(routes.getSalesReport.response.schema.safeParse(body).success).to.be.true;
            const [file] = body.openaiFileResponse as Array<{ name: string; mime_type: string; content: string }>;
            expect(file.name).to.equal("sales-2026-10.csv");
            expect(file.mime_type).to.equal("text/csv");
            const lines = Buffer.from(file.content, "base64").toString("utf8").trim().split("\r\n");
            expect(lines[0]).to.equal("month,region,product,units,revenue_usd");
            expect(lines).to.have.lengthOf(1 + 3 * 3);
        });

        it("limits the report to one region when asked", async () => {
            const { body } = await call(event({ path: "/reports/sales", body: salesBody({ month: "2026-10", region: "APAC" }) }));
            const [file] = body.openaiFileResponse as Array<{ content: string }>;
            const rows = Buffer.from(file.content, "base64").toString("utf8").trim().split("\r\n").slice(1);
            expect(rows).to.have.lengthOf(3);
            expect(rows.every((r) => r.startsWith("2026-10,APAC,"))).to.be.true;
        });

        it("answers an unknown path with 404", async () => {
            await expectError(event({ path: "/nope" }), 404, "not_found");
        });

        it("answers a known path with the wrong method with 405 and Allow", async () => {
            await expectError(event({ method: "GET" }), 405, "method_not_allowed");
            const { result } = await call(event({ method: "DELETE", path: "/reports/sales" }));
            expect(result.headers).to.deep.include({ Allow: "POST" });
        });

        it("adds the configured CORS origin to every response", async () => {
            process.env.CORS_ALLOW_ORIGIN = "https://chatgpt.com";
            for (const e of [event(), event({ path: "/nope" })]) {
                const { result } = await call(e);
                expect(result.headers).to.deep.include({ "Access-Control-Allow-Origin": "https://chatgpt.com" });
            }
        });
    });

    describe("request bodies", () => {
        const sales = (options: EventOptions) => event({ path: "/reports/sales", ...options });

        it("rejects an absent body", async () => {
            await expectError(sales({ body: null }), 400, "body_required");
            await expectError(sales({ body: "" }), 400, "body_required");
        });

        it("decodes a base64-encoded body", async () => {
            const { result } = await call(sales({ body: Buffer.from(salesBody({ month: "2026-01" })).toString("base64"), isBase64Encoded: true }));
            expect(result.statusCode).to.equal(200);
        });

        it("rejects invalid base64", async () => {
            await expectError(sales({ body: "not base64!", isBase64Encoded: true }), 400, "invalid_encoding");
            await expectError(sales({ body: "abc", isBase64Encoded: true }), 400, "invalid_encoding");
        });

        it("rejects base64 that is not UTF-8", async () => {
            await expectError(sales({ body: Buffer.from([0xff, 0xfe, 0xfd]).toString("base64"), isBase64Encoded: true }), 400, "invalid_encoding");
        });

        it("rejects invalid JSON", async () => {
            await expectError(sales({ body: "{month:" }), 400, "invalid_json");
        });

        it("rejects the wrong JSON shape, naming the field and the rule", async () => {
            expect(await expectError(sales({ body: salesBody({ month: 202610 }) }), 400, "invalid_body")).to.match(/month: expected string/);
            expect(await expectError(sales({ body: salesBody({ month: "2026-13" }) }), 400, "invalid_body")).to.match(/month: must match/);
            expect(await expectError(sales({ body: salesBody({ month: "2026-10", region: "MARS" }) }), 400, "invalid_body")).to.match(/region: must be one of "EMEA", "AMER", "APAC"/);
            expect(await expectError(sales({ body: "[]" }), 400, "invalid_body")).to.match(/body: expected object/);
        });

        it("rejects a content type other than JSON", async () => {
            await expectError(sales({ body: salesBody({ month: "2026-10" }), contentType: "text/plain" }), 415, "unsupported_media_type");
            await expectError(sales({ body: salesBody({ month: "2026-10" }), contentType: null }), 415, "unsupported_media_type");
        });

        it("accepts JSON content types with parameters, in any header case", async () => {
            const e = sales({ body: salesBody({ month: "2026-10" }), contentType: null });
            e.headers = { "CONTENT-TYPE": "Application/JSON; charset=utf-8" };
            expect((await call(e)).result.statusCode).to.equal(200);
        });

        it("rejects a body over 100,000 characters", async () => {
            const big = salesBody({ month: "2026-10", pad: "x".repeat(100_000) });
            await expectError(sales({ body: big }), 413, "body_too_large");
            await expectError(sales({ body: Buffer.from(big).toString("base64"), isBase64Encoded: true }), 413, "body_too_large");
        });
    });

    describe("defense in depth", () => {
        it("refuses a request without authorizer claims", async () => {
            await expectError(event({ claims: null }), 401, "unauthorized");
            await expectError(event({ claims: {} }), 401, "unauthorized");
        });

        it("refuses an ID token", async () => {
            await expectError(event({ claims: { ...CLAIMS, token_use: "id" } }), 401, "unauthorized");
        });

        it("refuses a token issued to another app client", async () => {
            await expectError(event({ claims: { ...CLAIMS, client_id: "someone-else" } }), 403, "forbidden");
        });

        it("fails closed when APP_CLIENT_ID is not configured", async () => {
            delete process.env.APP_CLIENT_ID;
            await expectError(event(), 500, "internal_error");
        });
    });

    describe("responses", () => {
        it("refuses a response over 100,000 characters instead of truncating it", async () => {
            const message = await withOperation("postSuccess", () => ({ success: true, pad: "x".repeat(100_000) }), () => expectError(event(), 422, "response_too_large"));
            expect(message).to.match(/Ask for less/);
        });

        it("keeps a response of exactly 100,000 characters", () => {
            const value = { p: "x".repeat(100_000 - '{"p":""}'.length) };
            expect(okResult(value).statusCode).to.equal(200);
            expect(okResult({ p: `${value.p}x` }).statusCode).to.equal(422);
        });

        it("turns an unexpected exception into a 500 with the request id, logged with its stack", async () => {
            const { result, body, logs } = await withOperation("postSuccess", () => { throw new Error("database is down"); }, () => call(event()));
            expect(result.statusCode).to.equal(500);
            expect(body).to.deep.equal({ error: { code: "internal_error", message: "Something went wrong on our side; quote request id lambda-request-1 when reporting it.", requestId: "lambda-request-1" } });
            expect(result.body).to.not.include("database is down");
            const error = logs.find((l) => l.level === "ERROR");
            expect(error).to.include({ requestId: "lambda-request-1", route: "postSuccess", errorMessage: "database is down" });
            expect(String(error?.stack)).to.include("database is down");
        });

        it("answers an event it cannot read (a throwing getter, a revoked Proxy) with a 500 and the request id, and logs it", async () => {
            const throwing = Object.defineProperty({ ...event() }, "httpMethod", { enumerable: true, get: () => { throw new Error("getter exploded"); } });
            const revoked = Proxy.revocable({}, {});
            revoked.revoke();
            for (const unreadable of [throwing, revoked.proxy]) {
                const { result, body, logs } = await call(unreadable);
                expect(result.statusCode).to.equal(500);
                expect(result.headers).to.deep.include({ "Content-Type": "application/json" });
                expect(body).to.deep.equal({ error: { code: "internal_error", message: "Something went wrong on our side; quote request id lambda-request-1 when reporting it.", requestId: "lambda-request-1" } });
                expect(logs.map((l) => l.level)).to.deep.equal(["ERROR", "INFO"]);
                expect(logs[0]).to.include({ requestId: "lambda-request-1", route: "none" });
                expect(logs[1]).to.include({ requestId: "lambda-request-1", route: "none", method: UNREADABLE_METHOD, status: 500 });
            }
            // Without a Lambda context (local mode), the id is the fallback, not the gateway's unreadable one.
            const lines: string[] = [];
            const write = logSink.write;
            logSink.write = (line) => lines.push(line);
            try {
                const result = await handler(throwing);
                expect(JSON.parse(result.body)).to.deep.nested.include({ "error.requestId": "local" });
            } finally {
                logSink.write = write;
            }
        });

        it("writes one JSON log line per request and, for a call of a route, its audit line, without tokens or bodies", async () => {
            const { logs } = await call(event({ path: "/reports/sales", body: salesBody({ month: "2026-10", note: SECRET_MARKER }) }));
            expect(logs.map((l) => l.message)).to.deep.equal(["request", "call"]);
            expect(logs[0]).to.include({ level: "INFO", requestId: "lambda-request-1", route: "getSalesReport", method: "POST", status: 200, sub: "user-sub-1" });
            expect(logs[0].latencyMs).to.be.a("number").and.at.least(0);
            expect(logs[1]).to.include({ surface: "rest", route: "getSalesReport", outcome: "ok", status: 200, sub: "user-sub-1" });
            expect(JSON.stringify(logs)).to.not.include(SECRET_MARKER);
        });

        it("logs a refused request without a sub", async () => {
            const { logs } = await call(event({ claims: null }));
            expect(logs).to.have.lengthOf(1);
            expect(logs[0]).to.include({ status: 401, route: "none" });
            expect(logs[0]).to.not.have.property("sub");
        });
    });

    describe("hostile events (property-based)", () => {
        /** A proxy result API Gateway accepts: integer status, string headers, string body. */
        function expectValidResult(result: APIGatewayProxyResult): void {
            expect(Number.isInteger(result.statusCode)).to.be.true;
            expect(result.statusCode).to.be.within(200, 499);
            expect(result.body).to.be.a("string");
            for (const value of Object.values(result.headers ?? {})) {
                expect(value).to.be.a("string");
            }
            expect(() => JSON.parse(result.body) as unknown).to.not.throw();
        }

        const silence = () => {
            const write = logSink.write;
            logSink.write = () => undefined;
            return () => { logSink.write = write; };
        };

        it("never throws and never answers 5xx, whatever the event", async () => {
            const restore = silence();
            try {
                await fc.assert(fc.asyncProperty(fc.anything({ withNullPrototype: true, withBigInt: true }), async (junk) => {
                    expectValidResult(await handler(junk as APIGatewayProxyEvent, context));
                }), { numRuns: 300 });
            } finally {
                restore();
            }
        });

        it("never throws and never answers 5xx for event-shaped attacks", async () => {
            const restore = silence();
            const paths = [...routeList().map((r) => r.path), "/", "/../etc/passwd", "/my_route/x", "/__proto__"];
            const bodies = fc.oneof(
                fc.constant(null),
                fc.string(),
                fc.json(),
                // Around the 100,000-character limit: a random string repeated to a random length near it, which
                // costs milliseconds where fast-check's own strings of that length took seconds.
                fc.tuple(fc.string({ minLength: 1, maxLength: 40 }), fc.integer({ min: 99_990, max: 100_010 }))
                    .map(([unit, length]) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length)),
                fc.record({ month: fc.oneof(fc.string(), fc.constant("2026-10")), region: fc.oneof(fc.string(), fc.constantFrom("EMEA", "AMER", "APAC")) }).map((b) => JSON.stringify(b)),
                fc.constantFrom('{"__proto__":{"x":1},"month":"2026-10"}', '{"constructor":{"prototype":{}}}', "\u0000", "{".repeat(10_000)),
            );
            const claims = fc.oneof(
                fc.constant(null),
                fc.constant(CLAIMS),
                fc.dictionary(fc.string(), fc.string()),
                fc.record({ sub: fc.string(), token_use: fc.constantFrom("access", "id", ""), client_id: fc.constantFrom(CLIENT_ID, "other", "") }),
            );
            try {
                await fc.assert(fc.asyncProperty(
                    fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "post", ""),
                    fc.constantFrom(...paths),
                    bodies,
                    fc.boolean(),
                    fc.oneof(fc.constant(null), fc.constantFrom("application/json", "text/plain", "application/json; charset=utf-8", ""), fc.string()),
                    claims,
                    async (method, path, body, isBase64Encoded, contentType, c) => {
                        const encoded = isBase64Encoded && body !== null && body.length < 1000 ? Buffer.from(body).toString("base64") : body;
                        expectValidResult(await handler(event({ method, path, body: encoded, isBase64Encoded, contentType, claims: c }), context));
                    },
                ), { numRuns: 300 });
            } finally {
                restore();
            }
        });
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
        process.env.APP_CLIENT_ID = CLIENT_ID;
        const stdout = Object.getOwnPropertyDescriptor(process.stdout, "write");
        process.stdout.write = () => true;
        try {
            const result = await bundled(event(), context);
            expect(JSON.parse(result.body)).to.deep.equal({ success: true });
        } finally {
            if (stdout === undefined) {
                delete (process.stdout as { write?: unknown }).write;
            } else {
                Object.defineProperty(process.stdout, "write", stdout);
            }
            delete process.env.APP_CLIENT_ID;
        }
    });

    it("answers a REST route and MCP from its files in a fresh node process, as Lambda unpacks them", () => {
        const bundle = bundleHandler();
        expect(Object.keys(bundle.files)).to.have.members(["index.js", "index.js.map", "mcp.js", "mcp.js.map"]);
        // The REST routes' file leaves the MCP SDK to mcp.js, loaded on the first /mcp request.
        expect(bundle.code).to.not.include("modelcontextprotocol");
        const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), "gpt-action-bundle-"));
        try {
            for (const [name, text] of Object.entries(bundle.files)) {
                fs.writeFileSync(nodePath.join(dir, name), text);
            }
            const mcpClaims = { sub: "user-sub-1", token_use: "access", client_id: "test-mcp-client" };
            const rpc = (id: number, method: string, params: object) => ({
                ...event({ path: "/mcp", claims: mcpClaims, body: JSON.stringify({ jsonrpc: "2.0", id, method, params }) }),
                headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
            });
            const events = [
                event(),
                rpc(1, "initialize", { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "test", version: "1.0.0" } }),
                rpc(2, "tools/call", { name: "postSuccess", arguments: {} }),
            ];
            // Results come back on fd 3; the request logs go to stdout.
            const script = `const { handler } = require(${JSON.stringify(nodePath.join(dir, "index.js"))});
(async () => { const out = []; for (const e of ${JSON.stringify(events)}) out.push(await handler(e, { awsRequestId: "r" }));
require("node:fs").writeSync(3, JSON.stringify(out)); })();`;
            const run = spawnSync(process.execPath, ["-e", script], {
                cwd: dir,
                stdio: ["ignore", "ignore", "pipe", "pipe"],
                env: { PATH: process.env.PATH, APP_CLIENT_ID: CLIENT_ID, MCP_CLIENT_ID: "test-mcp-client" },
            });
            expect(run.status, run.stderr.toString()).to.equal(0);
            const [rest, initialize, toolCall] = JSON.parse(run.output[3]?.toString() ?? "") as APIGatewayProxyResult[];
            expect(JSON.parse(rest.body)).to.deep.equal({ success: true });
            expect(initialize.statusCode, initialize.body).to.equal(200);
            expect(JSON.parse(initialize.body)).to.nested.include({ "id": 1, "result.protocolVersion": "2025-06-18", "result.serverInfo.name": "gpt-action" });
            expect(JSON.parse(toolCall.body)).to.nested.include({ "id": 2, "result.structuredContent.success": true });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("is the same on every build", () => {
        const first = bundleHandler();
        // Builds in one process are reused while their inputs are unchanged; this one must run esbuild again.
        clearBundleCache();
        expect(bundleHandler()).to.deep.equal(first);
    });
});
