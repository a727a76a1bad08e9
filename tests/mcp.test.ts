/**
 * The handler's MCP surface, driven with the proxy events API Gateway sends after its authorizer: the protocol
 * (negotiation, errors, statelessness), the tools derived from the route table, and the promise that a tool call
 * runs the same operation, with the same validation, as the REST route.
 */
import { expect } from "chai";
import * as z from "zod/mini";
import { operations } from "../handler/operations";
import { routeList, type RouteEntry } from "../handler/routes";
import { HttpError } from "../handler/http";
import { fileResource, isTextMediaType, MAX_INSTRUCTIONS_CHARS, returnsFiles, serverInstructions, titleOf, toolAnnotations } from "../handler/tools";
import { event, GPT_CLIENT, MCP_CLIENT, mcpClientsForSuite, quietly, request, rpc, type Rpc } from "./mcpEvents";
import { exampleArguments } from "./toolExamples";
import * as esbuild from "esbuild";
import { Module } from "node:module";
import * as path from "node:path";

const VERSION = { "MCP-Protocol-Version": "2025-11-25" };

async function callTool(name: string, args: unknown): Promise<Record<string, unknown>> {
    const { result, answer } = await rpc(request("tools/call", { name, arguments: args }), VERSION);
    expect(result.statusCode, result.body).to.equal(200);
    expect(answer?.result, result.body).to.be.an("object");
    return answer?.result ?? {};
}

describe("MCP surface (handler)", () => {
    mcpClientsForSuite();

    describe("protocol", () => {
        for (const version of ["2025-03-26", "2025-06-18", "2025-11-25"]) {
            it(`negotiates ${version} on initialize, with tools and the empty prompts and resources`, async () => {
                const { result, answer } = await rpc(request("initialize", { protocolVersion: version, capabilities: {}, clientInfo: { name: "test", version: "1" } }));
                expect(result.statusCode).to.equal(200);
                expect(result.headers).to.deep.include({ "Content-Type": "application/json" });
                // Stateless (MCP 2025-11-25, Transports › Session Management): no session id is handed out.
                expect(result.headers).to.not.have.property("mcp-session-id");
                expect(answer?.result).to.deep.include({ protocolVersion: version, capabilities: { tools: {}, prompts: {}, resources: {} } });
            });
        }

        it("gives instructions from the route table: the server, then one line per tool, within 512 characters", async () => {
            const { answer } = await rpc(request("initialize", { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "test", version: "1" } }));
            const instructions = answer?.result?.instructions as string;
            expect(instructions).to.equal(serverInstructions("gpt-action", routeList()));
            expect(instructions.length).to.be.within(1, MAX_INSTRUCTIONS_CHARS);
            for (const route of routeList()) {
                expect(instructions).to.include(`- ${route.operationId}: ${route.summary}`);
            }
        });

        it("keeps instructions within 512 characters for a long table, counting the tools left out", () => {
            const many = Array.from({ length: 40 }, (_, i) => ({ ...routeList()[0], operationId: `tool${i}`, summary: "Does one of many things, described at some length." }));
            const instructions = serverInstructions("gpt-action", many);
            expect(instructions.length).to.be.at.most(MAX_INSTRUCTIONS_CHARS);
            expect(instructions).to.match(/^gpt-action: 40 tool\(s\)/).and.match(/- and \d+ more in tools\/list\.$/);
            const listed = instructions.split("\n").filter((line) => line.startsWith("- tool")).length;
            expect(instructions).to.include(`- and ${40 - listed} more in tools/list.`);
        });

        it("answers a version it does not know with its latest (Lifecycle › Version Negotiation)", async () => {
            const { answer } = await rpc(request("initialize", { protocolVersion: "1999-01-01", capabilities: {}, clientInfo: { name: "test", version: "1" } }));
            expect(answer?.result?.protocolVersion).to.equal("2025-11-25");
        });

        it("refuses an unsupported MCP-Protocol-Version header with 400 (Transports › Protocol Version Header)", async () => {
            const { result, answer } = await rpc(request("tools/list"), { "MCP-Protocol-Version": "1999-01-01" });
            expect(result.statusCode).to.equal(400);
            expect(answer?.error?.message).to.match(/protocol version/i);
        });

        it("answers a ping with an empty result", async () => {
            const { result, answer } = await rpc(request("ping"), VERSION);
            expect(result.statusCode).to.equal(200);
            expect(answer).to.deep.equal({ jsonrpc: "2.0", id: 1, result: {} });
        });

        // RFC 9112 §3.2: a request whose Host has an invalid value gets 400 (it once made building a URL throw: a 500).
        for (const host of ["a b", "[", "host:no-port"]) {
            it(`answers 400 with a JSON-RPC error, not 500, to the invalid Host ${JSON.stringify(host)}`, async () => {
                const { result, logs } = await quietly(event({ body: JSON.stringify(request("ping")), headers: { ...VERSION, Host: host } }));
                expect(result.statusCode, result.body).to.equal(400);
                expect(JSON.parse(result.body)).to.deep.include({ jsonrpc: "2.0", id: null }).and.nested.include({ "error.code": -32600 });
                expect(logs.some((line) => line.includes('"level":"ERROR"')), "no error logged").to.be.false;
            });
        }

        it("accepts a notification with 202 and no body", async () => {
            const { result } = await rpc({ jsonrpc: "2.0", method: "notifications/initialized" }, VERSION);
            expect(result.statusCode).to.equal(202);
            expect(result.body).to.equal("");
        });

        it("answers GET and DELETE with 405 and Allow: POST: no stream, no session to end", async () => {
            for (const method of ["GET", "DELETE"]) {
                const { result } = await quietly(event({ method }));
                expect(result.statusCode, method).to.equal(405);
                expect(result.headers).to.deep.include({ Allow: "POST" });
                expect((JSON.parse(result.body) as Rpc).error?.code).to.be.a("number");
            }
        });

        it("answers malformed JSON with a JSON-RPC parse error (-32700), never a 5xx", async () => {
            const { result, answer } = await rpc("{not json", VERSION);
            expect(result.statusCode).to.equal(400);
            expect(answer?.error?.code).to.equal(-32700);
        });

        it("answers a message that is not JSON-RPC, and a batch, with a JSON-RPC answer below 500", async () => {
            for (const body of [JSON.stringify({ hello: "world" }), JSON.stringify([request("tools/list", undefined, 1), request("tools/list", undefined, 2)])]) {
                const { result } = await rpc(body, VERSION);
                expect(result.statusCode, body).to.be.below(500);
                expect(JSON.parse(result.body), body).to.satisfy((v: unknown) => Array.isArray(v) || (typeof v === "object" && v !== null && "jsonrpc" in v));
            }
        });

        it("keeps the transport's HTTP rules: 406 without both Accept types, 415 for another body type", async () => {
            const list = JSON.stringify(request("tools/list"));
            const status = async (headers: Record<string, string>) => (await quietly(event({ body: list, headers }))).result.statusCode;
            expect(await status({ ...VERSION, Accept: "application/json" })).to.equal(406);
            expect(await status({ ...VERSION, "Content-Type": "text/plain" })).to.equal(415);
            expect(await status({ ...VERSION, "Content-Type": "application/json; charset=utf-8" })).to.equal(200);
        });

        it("answers a batch in the requests' order, refuses one over 100 messages or with a second initialize", async () => {
            const batch = await rpc(JSON.stringify([{ jsonrpc: "2.0", id: "a", method: "ping" }, request("tools/list", undefined, 7)]), VERSION);
            expect(batch.result.statusCode).to.equal(200);
            expect((JSON.parse(batch.result.body) as Rpc[]).map((r) => r.id)).to.deep.equal(["a", 7]);
            const big = await rpc(JSON.stringify(Array.from({ length: 101 }, (_, i) => request("ping", undefined, i))), VERSION);
            expect(big.result.statusCode).to.equal(400);
            const init = { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } };
            const twice = await rpc(JSON.stringify([request("initialize", init, 1), request("ping", undefined, 2)]));
            expect(twice.result.statusCode).to.equal(400);
            expect(twice.answer?.error?.code).to.equal(-32600);
        });

        it("refuses a batch whose requests share an id: each needs its own response (JSON-RPC 2.0 §6)", async () => {
            const { result, answer } = await rpc(JSON.stringify([request("ping", undefined, 1), request("tools/list", undefined, 1)]), VERSION);
            expect(result.statusCode).to.equal(400);
            expect(answer?.error?.code).to.equal(-32600);
        });

        it("answers a request that its own batch cancels, instead of leaving the POST open", async () => {
            const cancel = { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 1 } };
            const timeout = new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), 2000).unref());
            const answered = rpc(JSON.stringify([request("ping", undefined, 1), cancel]), VERSION);
            const outcome = await Promise.race([answered, timeout]);
            expect(outcome).to.not.equal("hung");
            // JSON-RPC 2.0 §6: a batch is answered with an array, even of one response.
            expect((await answered).answer).to.deep.equal([{ jsonrpc: "2.0", id: 1, result: {} }]);
        });

        it("refuses a body over 100,000 characters with 413 and a JSON-RPC error", async () => {
            const { result, answer } = await rpc(JSON.stringify(request("tools/call", { name: "postSuccess", arguments: { pad: "x".repeat(100_001) } })), VERSION);
            expect(result.statusCode).to.equal(413);
            expect(answer?.error?.message).to.match(/over 100000 characters/);
        });

        it("refuses an Origin that corsAllowOrigin does not allow with 403 (Transports › Security Warning)", async () => {
            const list = JSON.stringify(request("tools/list"));
            const withOrigin = async (origin: string) => (await quietly(event({ body: list, headers: { ...VERSION, Origin: origin } }))).result.statusCode;
            expect(await withOrigin("https://evil.example"), "CORS off: no browser origin").to.equal(403);
            process.env.CORS_ALLOW_ORIGIN = "https://chatgpt.com";
            expect(await withOrigin("https://evil.example")).to.equal(403);
            expect(await withOrigin("https://chatgpt.com")).to.equal(200);
            process.env.CORS_ALLOW_ORIGIN = "*";
            expect(await withOrigin("https://evil.example"), "corsAllowOrigin *").to.equal(200);
            // Server-to-server clients (ChatGPT's backend) send no Origin at all.
            delete process.env.CORS_ALLOW_ORIGIN;
            expect((await quietly(event({ body: list, headers: VERSION }))).result.statusCode).to.equal(200);
        });

        it("takes only the MCP client's tokens, and the GPT routes refuse them", async () => {
            const gptAtMcp = await quietly(event({ body: JSON.stringify(request("tools/list")), clientId: GPT_CLIENT }));
            expect(gptAtMcp.result.statusCode).to.equal(403);
            const mcpAtGpt = await quietly(event({ path: routeList()[0].path, body: "{}", clientId: MCP_CLIENT }));
            expect(mcpAtGpt.result.statusCode).to.equal(403);
        });

        it("takes the OAuth facade's shadow client's tokens only when MCP_SHADOW_CLIENT_ID names it, never at the GPT routes", async () => {
            const list = JSON.stringify(request("tools/list"));
            expect((await quietly(event({ body: list, clientId: "facade-shadow" }))).result.statusCode, "no shadow client configured").to.equal(403);
            process.env.MCP_SHADOW_CLIENT_ID = "facade-shadow";
            try {
                expect((await quietly(event({ body: list, clientId: "facade-shadow", headers: VERSION }))).result.statusCode).to.equal(200);
                expect((await quietly(event({ body: list, clientId: MCP_CLIENT, headers: VERSION }))).result.statusCode).to.equal(200);
                expect((await quietly(event({ body: list, clientId: GPT_CLIENT }))).result.statusCode).to.equal(403);
                expect((await quietly(event({ path: routeList()[0].path, body: "{}", clientId: "facade-shadow" }))).result.statusCode).to.equal(403);
            } finally {
                delete process.env.MCP_SHADOW_CLIENT_ID;
            }
        });

        it("is not there when MCP_CLIENT_ID is unset (mcp: false): /mcp is an unknown path", async () => {
            delete process.env.MCP_CLIENT_ID;
            const { result } = await quietly(event({ body: JSON.stringify(request("tools/list")), clientId: GPT_CLIENT }));
            expect(result.statusCode).to.equal(404);
        });
    });

    describe("tools", () => {
        let tools: Array<Record<string, unknown>>;
        before(async () => {
            process.env.MCP_CLIENT_ID = MCP_CLIENT;
            tools = (await rpc(request("tools/list"), VERSION)).answer?.result?.tools as Array<Record<string, unknown>>;
        });

        it("lists one tool per route, named after its operationId, with its title, description and hints", () => {
            expect(tools.map((t) => t.name)).to.deep.equal(routeList().map((r) => r.operationId));
            for (const route of routeList()) {
                const tool = tools.find((t) => t.name === route.operationId) ?? {};
                expect(tool.title, route.operationId).to.equal(route.title ?? titleOf(route.operationId));
                expect(tool.description, route.operationId).to.include(route.summary).and.include(route.description);
                expect(tool.annotations, route.operationId).to.deep.equal(toolAnnotations(route));
            }
        });

        it("describes arguments with the request schema (an empty object without one) and results with the response schema", () => {
            for (const route of routeList()) {
                const tool = tools.find((t) => t.name === route.operationId) ?? {};
                const input = tool.inputSchema as Record<string, unknown>;
                expect(input.type, route.operationId).to.equal("object");
                if (route.request === undefined) {
                    expect(input.properties, route.operationId).to.deep.equal({});
                } else {
                    const expected: Record<string, unknown> = z.toJSONSchema(route.request, { target: "draft-2020-12", io: "input" });
                    delete expected.$schema;
                    expect(input, route.operationId).to.deep.equal(expected);
                }
                // A file result comes back as resources, so only structured results declare an output schema.
                expect(tool.outputSchema === undefined, route.operationId).to.equal(returnsFiles(route));
            }
        });

        it("derives hints from consequential and method, and lets a route override each", () => {
            const base = routeList()[0];
            const hints = (extra: Partial<RouteEntry>) => toolAnnotations({ ...base, ...extra });
            expect(hints({ consequential: false, method: "POST" })).to.include({ readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false });
            expect(hints({ consequential: true, method: "POST" })).to.include({ readOnlyHint: false, destructiveHint: false, idempotentHint: false });
            expect(hints({ consequential: true, method: "PUT" })).to.include({ readOnlyHint: false, destructiveHint: true, idempotentHint: true });
            expect(hints({ consequential: true, method: "DELETE" })).to.include({ destructiveHint: true, idempotentHint: true });
            expect(hints({ consequential: true, method: "PATCH" })).to.include({ destructiveHint: true, idempotentHint: false });
            expect(hints({ consequential: true, readOnly: true, destructive: false, idempotent: true, openWorld: true, title: "Mine" }))
                .to.deep.equal({ title: "Mine", readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true });
        });

        for (const route of routeList()) {
            it(`${route.operationId}: the tool and the REST route run the same operation on the same input`, async () => {
                const args = exampleArguments(route);
                const rest = await quietly({ ...event({ path: route.path, method: route.method, body: JSON.stringify(args), clientId: GPT_CLIENT }) });
                const restValue = JSON.parse(rest.result.body) as Record<string, unknown>;
                const result = await callTool(route.operationId, args);
                if (rest.result.statusCode !== 200) {
                    // Generated arguments may meet an expected failure (no such order): the same one on both surfaces.
                    const { error } = restValue as { error: { message: string } };
                    expect(rest.result.statusCode, rest.result.body).to.be.within(400, 499);
                    expect(result).to.deep.include({ isError: true, content: [{ type: "text", text: error.message }] });
                    return;
                }
                expect(result.isError, JSON.stringify(result)).to.not.equal(true);
                const content = result.content as Array<Record<string, unknown>>;
                if (returnsFiles(route)) {
                    const files = restValue.openaiFileResponse as Array<{ name: string; mime_type: string; content: string }>;
                    const resources = content.filter((c) => c.type === "resource").map((c) => c.resource as Record<string, string>);
                    // Text files come as text, with their MIME type and the same bytes as the REST route's base64.
                    expect(resources.map((r) => [r.mimeType, r.text === undefined ? r.blob : Buffer.from(r.text).toString("base64")]))
                        .to.deep.equal(files.map((f) => [f.mime_type, f.content]));
                    expect(resources.map((r) => r.uri)).to.deep.equal(files.map((f) => `gpt-action://tools/${route.operationId}/${encodeURIComponent(f.name)}`));
                } else {
                    expect(result.structuredContent).to.deep.equal(restValue);
                    expect(content).to.deep.equal([{ type: "text", text: JSON.stringify(restValue) }]);
                }
            });
        }

        it("returns the sales report's CSV as text the model reads, with its MIME type", async () => {
            const result = await callTool("getSalesReport", { month: "2026-10", region: "EMEA" });
            const content = result.content as Array<{ type: string; text?: string; resource?: Record<string, string> }>;
            expect(content[0]).to.deep.equal({ type: "text", text: "1 file(s): sales-2026-10.csv (text/csv)" });
            expect(content[1].resource).to.have.keys("uri", "mimeType", "text");
            expect(content[1].resource).to.include({ uri: "gpt-action://tools/getSalesReport/sales-2026-10.csv", mimeType: "text/csv" });
            const rows = (content[1].resource?.text ?? "").split("\r\n");
            expect(rows[0]).to.equal("month,region,product,units,revenue_usd");
            expect(rows[1]).to.match(/^2026-10,EMEA,Basic,\d+,\d+$/);
        });

        it("tells text media types from binary ones: text/*, JSON, XML, YAML, CSV and their suffixes are text", () => {
            for (const type of ["text/csv", "text/markdown; charset=utf-8", "text/plain", "application/json", "application/ld+json", "application/xml",
                "image/svg+xml", "application/yaml", "application/csv", "TEXT/HTML", "text/plain; charset=\"US-ASCII\""]) {
                expect(isTextMediaType(type), type).to.be.true;
            }
            for (const type of ["application/pdf", "image/png", "application/octet-stream", "application/zip",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "text/plain; charset=iso-8859-1", "application/jsonx"]) {
                expect(isTextMediaType(type), type).to.be.false;
            }
        });

        it("returns a binary file as a blob, and a text-typed file whose bytes are not UTF-8 too", () => {
            const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]).toString("base64");
            expect(fileResource("gpt-action", "getChart", { name: "chart 1.png", mime_type: "image/png", content: png }))
                .to.deep.equal({ uri: "gpt-action://tools/getChart/chart%201.png", mimeType: "image/png", blob: png });
            const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9]).toString("base64");
            expect(fileResource("gpt-action", "getNotes", { name: "notes.txt", mime_type: "text/plain", content: latin1 }))
                .to.deep.equal({ uri: "gpt-action://tools/getNotes/notes.txt", mimeType: "text/plain", blob: latin1 });
            const json = Buffer.from('{"a":"é"}').toString("base64");
            expect(fileResource("gpt-action", "getData", { name: "data.json", mime_type: "application/json", content: json }))
                .to.deep.equal({ uri: "gpt-action://tools/getData/data.json", mimeType: "application/json", text: '{"a":"é"}' });
        });

        it("gives every tool explicit readOnlyHint, destructiveHint and openWorldHint", () => {
            for (const tool of tools) {
                const annotations = tool.annotations as Record<string, unknown>;
                for (const hint of ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"]) {
                    expect(annotations[hint], `${String(tool.name)} ${hint}`).to.be.a("boolean");
                }
            }
        });

        it("answers invalid arguments with a tool error carrying the REST route's field-level message", async () => {
            for (const route of routeList().filter((r) => r.request !== undefined)) {
                const rest = await quietly(event({ path: route.path, method: route.method, body: JSON.stringify({ unexpected: 1 }), clientId: GPT_CLIENT }));
                expect(rest.result.statusCode).to.equal(400);
                const restMessage = (JSON.parse(rest.result.body) as { error: { message: string } }).error.message;
                const fields = restMessage.slice(restMessage.indexOf(": ") + 2);
                const result = await callTool(route.operationId, { unexpected: 1 });
                expect(result.isError, route.operationId).to.equal(true);
                expect((result.content as Array<{ text: string }>)[0].text).to.equal(`The arguments do not match the tool's input schema: ${fields}`);
            }
        });

        it("recognises an HttpError from another copy of its module (the bundle's index.js and mcp.js each hold one)", () => {
            const file = path.join(__dirname, "..", "handler", "http.ts");
            const code = esbuild.buildSync({ entryPoints: [file], bundle: true, platform: "node", format: "cjs", write: false }).outputFiles[0].text;
            const copy = new Module(file);
            (copy as unknown as { _compile(code: string, filename: string): void })._compile(code, file);
            const Other = (copy.exports as { HttpError: typeof HttpError }).HttpError;
            const foreign = new Other(409, "conflict", "from the other copy");
            expect(foreign instanceof HttpError).to.be.false;
            expect(HttpError.is(foreign)).to.be.true;
            expect(HttpError.is(new Error("plain"))).to.be.false;
        });

        it("answers an unknown tool with a JSON-RPC error (-32602), not a tool result", async () => {
            const { answer } = await rpc(request("tools/call", { name: "noSuchTool", arguments: {} }), VERSION);
            expect(answer?.error?.code).to.equal(-32602);
            expect(answer?.error?.message).to.include("noSuchTool");
        });

        it("passes an operation's expected failure to the model, and hides an unexpected one behind a request id", async () => {
            const route = routeList()[0];
            const ops = operations as unknown as Record<string, unknown>;
            const original = ops[route.operationId];
            try {
                ops[route.operationId] = () => { throw new HttpError(409, "conflict", "That order is already shipped."); };
                const expected = await callTool(route.operationId, exampleArguments(route));
                expect(expected).to.deep.include({ isError: true, content: [{ type: "text", text: "That order is already shipped." }] });
                ops[route.operationId] = () => { throw new Error("db password=hunter2 rejected"); };
                const { result, logs } = await quietly(event({ body: JSON.stringify(request("tools/call", { name: route.operationId, arguments: exampleArguments(route) })), headers: VERSION }));
                const answer = JSON.parse(result.body) as Rpc;
                const text = JSON.stringify(answer.result);
                expect(text).to.include("gateway-request-1").and.not.include("hunter2");
                expect(logs.some((l) => l.includes('"level":"ERROR"') && l.includes(route.operationId))).to.be.true;
            } finally {
                ops[route.operationId] = original;
            }
        });
    });
});
