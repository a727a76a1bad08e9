/**
 * The official TypeScript SDK v2 client (@modelcontextprotocol/client) against local mode in each of its version
 * negotiation modes (its `ClientOptions.versionNegotiation`): pinned to 2026-07-28, `auto` (which probes with
 * server/discover and must settle on 2026-07-28 here), and `legacy` (the 2025 `initialize` sequence). Each signs
 * in through the OAuth facade from the MCP URL alone and calls every tool of the route table; what it sent on the
 * wire is recorded to show which era it spoke. The v1 client's run is in tests/mcpLocal.test.ts.
 */
import { Client, StreamableHTTPClientTransport, UnauthorizedError, type FetchLike, type OAuthDiscoveryState, type VersionNegotiationMode } from "@modelcontextprotocol/client";
import { expect } from "chai";
import { decodeJwt } from "jose";
import { routeList } from "../handler/routes";
import { mcpScope } from "../infra/mcpMetadata";
import { localModeForSuite } from "./localMode";
import { StaticClientProvider } from "./mcpOAuthProvider";
import { signIn } from "./signIn";
import { exampleArguments, expectToolResult, operationOutcome } from "./toolExamples";

/** One POST to the MCP endpoint as the client sent it: the JSON-RPC method and the version headers, never a token. */
interface Sent {
    readonly method: string;
    readonly versionHeader: string | null;
    readonly methodHeader: string | null;
    readonly metaVersion: unknown;
}

/**
 * The tests' static client, plus what the v2 client keeps across the redirect (SEP-2352): the authorization server it
 * discovered, so the callback is checked against the server the user was sent to.
 */
class V2ClientProvider extends StaticClientProvider {
    private discovery: OAuthDiscoveryState | undefined;

    saveDiscoveryState(state: OAuthDiscoveryState): void {
        this.discovery = state;
    }

    discoveryState(): OAuthDiscoveryState | undefined {
        return this.discovery;
    }
}

const MODES: ReadonlyArray<{ readonly label: string; readonly mode: VersionNegotiationMode; readonly era: "modern" | "legacy"; readonly version: string }> = [
    { label: "pinned to 2026-07-28", mode: { pin: "2026-07-28" }, era: "modern", version: "2026-07-28" },
    { label: "auto", mode: "auto", era: "modern", version: "2026-07-28" },
    { label: "legacy", mode: "legacy", era: "legacy", version: "2025-11-25" },
];

describe("MCP in local mode, the SDK v2 client in each negotiation mode", function () {
    this.timeout(20_000);
    const local = localModeForSuite();

    for (const { label, mode, era, version } of MODES) {
        it(`${label}: signs in through the facade, speaks ${version}, and calls every tool`, async () => {
            const outputs = local().outputs;
            const mcpUrl = new URL(outputs.mcpServerUrl ?? "");
            const sent: Sent[] = [];
            const recording: FetchLike = async (url, init) => {
                if (String(url) === mcpUrl.href && init?.method === "POST" && typeof init.body === "string") {
                    const headers = new Headers(init.headers);
                    const body = JSON.parse(init.body) as { method?: string; params?: { _meta?: Record<string, unknown> } };
                    sent.push({
                        method: body.method ?? "(response)",
                        versionHeader: headers.get("mcp-protocol-version"),
                        methodHeader: headers.get("mcp-method"),
                        metaVersion: body.params?._meta?.["io.modelcontextprotocol/protocolVersion"],
                    });
                }
                return fetch(url, init);
            };
            const provider = new V2ClientProvider({ client_id: outputs.mcpClientId ?? "", client_secret: outputs.mcpClientSecret },
                outputs.mcpCallbackUrls?.[0] ?? "", (url) => signIn(url, outputs.testUser));
            const client = () => new Client({ name: "gpt-action-tests", version: "1.0.0" }, { versionNegotiation: { mode } });
            const transport = () => new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider, fetch: recording });

            // From the URL alone: refused, sent to sign in, the code exchanged, then connected.
            const first = transport();
            const refused = await client().connect(first).then(() => undefined, (error: unknown) => error);
            expect(refused, String(refused)).to.be.instanceOf(UnauthorizedError);
            // The whole callback query: the v2 client checks its RFC 9207 `iss` against the issuer it discovered.
            await first.finishAuth(provider.callbackParams);
            expect(decodeJwt(provider.tokens()?.access_token ?? "")).to.include({ aud: mcpUrl.href, scope: mcpScope(outputs.apiUrl) });
            const connected = client();
            await connected.connect(transport());
            expect(connected.getProtocolEra()).to.equal(era);
            expect(connected.getNegotiatedProtocolVersion()).to.equal(version);

            const routes = routeList();
            const { tools } = await connected.listTools();
            expect(tools.map((t) => t.name)).to.deep.equal(routes.map((r) => r.operationId));
            const access = decodeJwt(provider.tokens()?.access_token ?? "");
            for (const route of routes) {
                const args = exampleArguments(route);
                const result = await connected.callTool({ name: route.operationId, arguments: args });
                const outcome = await operationOutcome(route, args, { sub: String(access.sub), username: String(access.username), scopes: [mcpScope(outputs.apiUrl)] });
                if (expectToolResult(route, result, outcome) && route.operationId === "getSalesReport") {
                    const csv = (result.content as Array<{ type: string; resource?: { text?: string } }>).find((c) => c.type === "resource")?.resource?.text;
                    expect(csv, "the report's rows, as text the model reads").to.match(new RegExp(`\\r\\n${String(args.month)},[A-Z]+,Basic,\\d+,\\d+\\r\\n`));
                }
            }
            await connected.close();

            // What went over the wire after sign-in: a modern client never sends initialize, and names its version in
            // the header and in _meta; a legacy one opens with initialize and sends no 2026-07-28 header.
            const opening = sent.map((s) => s.method).lastIndexOf(era === "modern" ? "server/discover" : "initialize");
            const afterSignIn = sent.slice(opening);
            const calls = sent.filter((s) => s.method === "tools/call");
            expect(calls).to.have.lengthOf.at.least(routes.length);
            if (era === "modern") {
                expect(sent.map((s) => s.method)).to.not.include("initialize");
                for (const call of afterSignIn.filter((s) => !s.method.startsWith("notifications/"))) {
                    expect(call, call.method).to.include({ versionHeader: version, methodHeader: call.method, metaVersion: version });
                }
            } else {
                expect(afterSignIn[0].method).to.equal("initialize");
                expect(sent.map((s) => s.method)).to.not.include("server/discover");
                for (const call of calls) {
                    expect(call, call.method).to.include({ versionHeader: version, metaVersion: undefined });
                }
            }
        });
    }
});
