/**
 * MCP 2026-07-28 on /mcp beside the 2025 revisions, at the handler: stateless requests carrying `_meta`, the
 * headers that mirror the body, the errors the revision names, and hostile requests, which are answered as the
 * specification says and never with a 5xx. Sections cited are MCP 2026-07-28's.
 */
import { expect } from "chai";
import fc from "fast-check";
import { LIST_TTL_MS } from "../handler/mcp";
import { LEGACY_VERSIONS, MODERN_VERSIONS } from "../handler/mcpProtocol";
import { routeList } from "../handler/routes";
import { event, mcpClientsForSuite, quietly, request, rpc, type Rpc } from "./mcpEvents";
import { exampleArguments } from "./toolExamples";

const MODERN = "2026-07-28";
const META = {
    "io.modelcontextprotocol/protocolVersion": MODERN,
    "io.modelcontextprotocol/clientCapabilities": {},
    "io.modelcontextprotocol/clientInfo": { name: "test", version: "1" },
};
const SERVER_INFO = { "io.modelcontextprotocol/serverInfo": { name: "gpt-action", version: "1.0.0" } };

/** A modern request as a conforming client sends it: `_meta` in the body, its version and method in headers. */
function modern(method: string, params: Record<string, unknown> = {}, id = 7) {
    const name = typeof params.name === "string" ? { "Mcp-Name": params.name } : {};
    return {
        message: request(method, { ...params, _meta: META }, id),
        headers: { "MCP-Protocol-Version": MODERN, "Mcp-Method": method, ...name } as Record<string, string>,
    };
}

async function send(method: string, params: Record<string, unknown> = {}, change: (headers: Record<string, string>) => void = () => undefined) {
    const { message, headers } = modern(method, params);
    change(headers);
    return rpc(message, headers);
}

function expectError(outcome: { result: { statusCode: number; body: string }; answer: Rpc | undefined }, status: number, code: number, id: number | null = 7): void {
    expect(outcome.result.statusCode, outcome.result.body).to.equal(status);
    expect(outcome.answer?.error?.code, outcome.result.body).to.equal(code);
    expect(outcome.answer?.id, "the error names the request's id").to.equal(id);
}

describe("MCP 2026-07-28 beside the 2025 revisions (handler)", () => {
    mcpClientsForSuite();

    describe("modern requests, each standing alone", () => {
        it("server/discover: the versions served (both eras), capabilities, instructions, serverInfo and caching hints (Server › Discovery)", async () => {
            const { result, answer } = await send("server/discover");
            expect(result.statusCode).to.equal(200);
            expect(answer?.result).to.deep.include({
                resultType: "complete",
                supportedVersions: [...MODERN_VERSIONS, ...LEGACY_VERSIONS],
                capabilities: { tools: {}, prompts: {}, resources: {} },
                ttlMs: LIST_TTL_MS,
                cacheScope: "public",
                _meta: SERVER_INFO,
            });
            expect(answer?.result?.instructions).to.be.a("string").and.match(/^gpt-action: /);
        });

        it("tools/list: the same tools as the 2025 list, in route table order, complete, with ttlMs and cacheScope (Utilities › Caching)", async () => {
            const modernList = await send("tools/list");
            const legacyList = await rpc(request("tools/list"), { "MCP-Protocol-Version": "2025-11-25" });
            expect(modernList.answer?.result).to.deep.include({ resultType: "complete", ttlMs: LIST_TTL_MS, cacheScope: "public", _meta: SERVER_INFO });
            const tools = modernList.answer?.result?.tools as Array<{ name: string }>;
            expect(tools.map((t) => t.name)).to.deep.equal(routeList().map((r) => r.operationId));
            expect(tools).to.deep.equal(legacyList.answer?.result?.tools);
            // The 2025 answer carries none of the 2026-07-28 fields.
            expect(legacyList.answer?.result).to.have.all.keys("tools");
        });

        it("tools/call: every tool runs, and the result says it is complete", async () => {
            for (const route of routeList()) {
                const { result, answer } = await send("tools/call", { name: route.operationId, arguments: exampleArguments(route) });
                expect(result.statusCode, route.operationId).to.equal(200);
                expect(answer?.result, route.operationId).to.deep.include({ resultType: "complete", _meta: SERVER_INFO });
                expect(answer?.result?.isError, `${route.operationId}: ${result.body}`).to.equal(undefined);
            }
        });

        it("the sales report's CSV reaches the model as text: a row of it is in the result", async () => {
            const { answer } = await send("tools/call", { name: "getSalesReport", arguments: { month: "2026-10" } });
            const content = answer?.result?.content as Array<{ type: string; resource?: { uri: string; mimeType: string; text?: string } }>;
            const csv = content.find((c) => c.type === "resource")?.resource;
            expect(csv?.mimeType).to.equal("text/csv");
            expect(csv?.uri).to.equal("gpt-action://tools/getSalesReport/sales-2026-10.csv");
            expect(csv?.text).to.match(/^month,region,product,units,revenue_usd\r?\n2026-10,[^,\n]+,[^,\n]+,\d+,[\d.]+\r?$/m);
        });

        it("prompts and resources: empty lists with caching hints; a prompt or resource asked for is not found (-32602)", async () => {
            for (const [method, field] of [["prompts/list", "prompts"], ["resources/list", "resources"], ["resources/templates/list", "resourceTemplates"]]) {
                const { answer } = await send(method);
                expect(answer?.result, method).to.deep.include({ [field]: [], ttlMs: LIST_TTL_MS, cacheScope: "public" });
            }
            const read = await send("resources/read", { uri: "gpt-action://nothing" }, (h) => (h["Mcp-Name"] = "gpt-action://nothing"));
            expectError(read, 200, -32602);
            expect(read.answer?.error?.data).to.deep.equal({ uri: "gpt-action://nothing" });
            expectError(await send("prompts/get", { name: "nothing" }), 200, -32602);
        });

        it("takes an Mcp-Name in the Base64 sentinel form (Streamable HTTP › Value Encoding)", async () => {
            const encoded = `=?base64?${Buffer.from("postSuccess").toString("base64")}?=`;
            const { result } = await send("tools/call", { name: "postSuccess", arguments: exampleArguments(routeList()[0]) }, (h) => (h["Mcp-Name"] = encoded));
            expect(result.statusCode, result.body).to.equal(200);
        });

        it("a notification is accepted with 202 and no body, with or without headers; a header that contradicts it is not", async () => {
            const notification = { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 1, _meta: META } };
            for (const headers of [{ "MCP-Protocol-Version": MODERN }, {}] as Array<Record<string, string>>) {
                const { result } = await rpc(notification, headers);
                expect(result.statusCode).to.equal(202);
                expect(result.body).to.equal("");
            }
            const contradicted = await rpc(notification, { "MCP-Protocol-Version": "2025-11-25" });
            expect(contradicted.result.statusCode).to.equal(400);
            expect(contradicted.answer?.error?.code).to.equal(-32020);
        });
    });

    describe("malformed modern requests get the answer the revision names", () => {
        const cases: Array<[string, () => ReturnType<typeof send>, number, number]> = [
            ["no MCP-Protocol-Version header (Server Validation: -32020)", () => send("tools/list", {}, (h) => delete h["MCP-Protocol-Version"]), 400, -32020],
            ["a header version unlike _meta's (-32020)", () => send("tools/list", {}, (h) => (h["MCP-Protocol-Version"] = "2025-11-25")), 400, -32020],
            ["no Mcp-Method header (-32020)", () => send("tools/list", {}, (h) => delete h["Mcp-Method"]), 400, -32020],
            ["an Mcp-Method that lies about the body (-32020)", () => send("tools/list", {}, (h) => (h["Mcp-Method"] = "tools/call")), 400, -32020],
            ["a tools/call without Mcp-Name (-32020)", () => send("tools/call", { name: "postSuccess", arguments: {} }, (h) => delete h["Mcp-Name"]), 400, -32020],
            ["an Mcp-Name that lies about the tool (-32020)", () => send("tools/call", { name: "postSuccess", arguments: {} }, (h) => (h["Mcp-Name"] = "getSalesReport")), 400, -32020],
            ["an Mcp-Name sentinel that is not Base64 (-32020)", () => send("tools/call", { name: "postSuccess", arguments: {} }, (h) => (h["Mcp-Name"] = "=?base64?***?=")), 400, -32020],
            ["a modern header and no _meta (Base Protocol › _meta: -32602)", () => rpc(request("tools/list", undefined, 7), { "MCP-Protocol-Version": MODERN, "Mcp-Method": "tools/list" }), 400, -32602],
            ["_meta without clientCapabilities (-32602)", () => rpc(request("tools/list", { _meta: { "io.modelcontextprotocol/protocolVersion": MODERN } }, 7), { "MCP-Protocol-Version": MODERN, "Mcp-Method": "tools/list" }), 400, -32602],
            ["_meta with a clientInfo that is not an Implementation (-32602)", () => rpc(request("tools/list", { _meta: { ...META, "io.modelcontextprotocol/clientInfo": "me" } }, 7), { "MCP-Protocol-Version": MODERN, "Mcp-Method": "tools/list" }), 400, -32602],
            ["initialize, removed in 2026-07-28 (404, -32601)", () => send("initialize", { protocolVersion: MODERN, capabilities: {}, clientInfo: { name: "x", version: "1" } }), 404, -32601],
            ["ping, removed (404, -32601)", () => send("ping"), 404, -32601],
            ["logging/setLevel, removed (404, -32601)", () => send("logging/setLevel", { level: "info" }), 404, -32601],
            ["a method no revision has (404, -32601)", () => send("tools/frobnicate"), 404, -32601],
            ["an unknown tool (Tools › Error Handling: -32602)", () => send("tools/call", { name: "nope", arguments: {} }), 200, -32602],
            ["tools/call without a name (-32602)", () => send("tools/call", { arguments: {} }), 200, -32602],
            ["a tools/list cursor never handed out (-32602)", () => send("tools/list", { cursor: "abc" }), 200, -32602],
        ];
        for (const [what, go, status, code] of cases) {
            it(what, async () => expectError(await go(), status, code));
        }

        it("a version the server does not serve: 400, -32022, with the versions it supports and the one asked for", async () => {
            const meta = { ...META, "io.modelcontextprotocol/protocolVersion": "2099-01-01" };
            const outcome = await rpc(request("tools/list", { _meta: meta }, 7), { "MCP-Protocol-Version": "2099-01-01", "Mcp-Method": "tools/list" });
            expectError(outcome, 400, -32022);
            expect(outcome.answer?.error?.data).to.deep.equal({ supported: [...MODERN_VERSIONS, ...LEGACY_VERSIONS], requested: "2099-01-01" });
        });

        it("a batch holding a modern request: 400, -32600 (2026-07-28 requests stand alone)", async () => {
            const { message, headers } = modern("tools/list");
            const outcome = await rpc([message, { ...message, id: 8 }], headers);
            expectError(outcome, 400, -32600, null);
        });
    });

    describe("the 2025 revisions on the same endpoint", () => {
        it("a request with no version header and no _meta is served as 2025-03-26 (Protocol Version Header)", async () => {
            const { result, answer } = await rpc(request("tools/list"));
            expect(result.statusCode).to.equal(200);
            expect(answer?.result).to.have.all.keys("tools");
        });

        it("an older or unknown 2025-era version header: 400, -32022, naming the versions served", async () => {
            for (const version of ["2024-11-05", "2025-01-01"]) {
                const outcome = await rpc(request("tools/list", undefined, 7), { "MCP-Protocol-Version": version });
                expectError(outcome, 400, -32022);
            }
        });

        it("a 2025 resource read that finds nothing: -32002 (2025-11-25, Resources › Error Handling)", async () => {
            expectError(await rpc(request("resources/read", { uri: "x://y" }, 7), { "MCP-Protocol-Version": "2025-11-25" }), 200, -32002);
        });

        it("initialize carrying a modern header is a mismatch, not a handshake (-32020)", async () => {
            const outcome = await rpc(request("initialize", { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "x", version: "1" } }, 7), { "MCP-Protocol-Version": MODERN, "Mcp-Method": "initialize" });
            expectError(outcome, 400, -32020);
        });
    });

    it("answers any body and any version headers below 500, with a JSON-RPC message or nothing (property)", async () => {
        const headerValue = fc.oneof(fc.constantFrom(MODERN, "2025-11-25", "2025-03-26", "1900-01-01", "", "=?base64?eA==?="), fc.string({ maxLength: 20 }));
        const message = fc.oneof(
            fc.jsonValue(),
            fc.record({
                jsonrpc: fc.constantFrom("2.0", "1.0"),
                id: fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.constant(null)),
                method: fc.constantFrom("tools/list", "tools/call", "server/discover", "initialize", "ping", "resources/read", "x"),
                params: fc.oneof(fc.jsonValue(), fc.record({ name: fc.string({ maxLength: 12 }), _meta: fc.oneof(fc.jsonValue(), fc.constant(META)) })),
            }, { requiredKeys: ["jsonrpc", "method"] }),
        );
        await fc.assert(fc.asyncProperty(message, fc.dictionary(fc.constantFrom("MCP-Protocol-Version", "Mcp-Method", "Mcp-Name"), headerValue), async (body, headers) => {
            const { result } = await quietly(event({ body: JSON.stringify(body), headers }));
            expect(result.statusCode, result.body).to.be.below(500);
            if (result.body !== "") {
                expect(JSON.parse(result.body), result.body).to.satisfy((m: unknown) => Array.isArray(m) || (typeof m === "object" && m !== null && (m as Rpc).jsonrpc === "2.0"));
            }
        }), { numRuns: 300 });
    });
});
