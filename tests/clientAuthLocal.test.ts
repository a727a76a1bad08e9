/**
 * Real clients' documents end to end in local mode (issue 20, items 1 and 3), with the official MCP SDK client:
 * ChatGPT as it publishes itself (private_key_jwt preferred, a per-connector document URL), played with a key pair
 * this test makes and a JWKS it serves on 127.0.0.1, signing its assertions with the SDK's own
 * createPrivateKeyJwtAuth; and a command-line client whose document registers a loopback redirect URI without a
 * port, used on whatever port it listens on (RFC 8252 §7.3). Both sign in through the facade, list tools and refresh.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { FetchLike } from "@modelcontextprotocol/sdk/shared/transport.js";
import { expect } from "chai";
import { exportJWK, generateKeyPair, type JWK } from "jose";
import { JWT_BEARER_ASSERTION } from "../handler/facade/clientAuthMethods";
import { facadeUrls } from "../handler/facade/paths";
import { routeList } from "../handler/routes";
import { chatGptDocument, CLIENT_REDIRECT, documentHost, loopbackCliDocument, type DocumentHost } from "./facadeFixtures";
import { localModeForSuite } from "./localMode";
import { connectAfterSignIn, PrivateKeyJwtClientProvider, StaticClientProvider } from "./mcpOAuthProvider";
import { signIn } from "./signIn";

interface Seen {
    readonly url: string;
    readonly status: number;
    readonly form: URLSearchParams | undefined;
}

describe("OAuth facade in local mode: real clients' documents with the official MCP SDK", function () {
    this.timeout(30_000);
    let host: DocumentHost;
    let chatGpt: string;
    let cli: string;
    let privateJwk: JWK;
    let publicJwk: JWK;

    before(async () => {
        const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
        privateJwk = { ...(await exportJWK(privateKey)), kid: "chatgpt-test" };
        publicJwk = { ...(await exportJWK(publicKey)), kid: "chatgpt-test", alg: "RS256", use: "sig" };
        host = await documentHost((req, res) => {
            const url = `${host.origin}${req.url ?? ""}`;
            const body = url === chatGpt ? chatGptDocument(chatGpt, `${host.origin}/oauth/jwks.json`)
                : url === cli ? loopbackCliDocument(cli)
                    : { keys: [publicJwk] };
            res.writeHead(200, { "Content-Type": "application/json" });
            res.end(JSON.stringify(body));
        });
        chatGpt = `${host.origin}/oauth/cb_7f3a9/client.json`;
        cli = `${host.origin}/cli/client.json`;
    });
    after(() => host.close());
    const local = localModeForSuite(() => ({ testClientMetadataUrls: [chatGpt, cli] }));

    const mcpUrl = () => new URL(local().outputs.mcpServerUrl ?? "");
    const user = () => local().outputs.testUser;

    /** Connects as `provider` from the MCP URL alone: the first attempt signs in, the second lists tools. */
    async function connect(provider: StaticClientProvider, seen: Seen[]): Promise<Client> {
        const recording: FetchLike = async (url, init) => {
            const res = await fetch(url, init);
            seen.push({ url: String(url), status: res.status, form: init?.body instanceof URLSearchParams ? init.body : undefined });
            return res;
        };
        const client = await connectAfterSignIn(mcpUrl(), provider, recording);
        const { tools } = await client.listTools();
        expect(tools.map((t) => t.name)).to.have.members(routeList().map((r) => r.operationId));
        return client;
    }

    /** Makes the SDK refresh: its access token no longer works, so it uses the refresh token and retries. */
    async function refreshThrough(provider: StaticClientProvider, client: Client): Promise<void> {
        provider.replaceAccessToken("no-longer-valid");
        const { tools } = await client.listTools();
        expect(tools).to.not.be.empty;
    }

    it("plays ChatGPT: private_key_jwt with the test's key on its per-connector document, signs in, lists tools and refreshes", async () => {
        const seen: Seen[] = [];
        const provider = new PrivateKeyJwtClientProvider(chatGpt, privateJwk, CLIENT_REDIRECT, (url) => signIn(url, user()));
        const client = await connect(provider, seen);
        await refreshThrough(provider, client);
        await client.close();

        const tokenRequests = seen.filter((s) => s.url === facadeUrls(local().outputs.apiUrl).token);
        expect(tokenRequests.map((s) => [s.form?.get("grant_type"), s.status])).to.deep.equal([["authorization_code", 200], ["refresh_token", 200]]);
        for (const request of tokenRequests) {
            // The SDK sends the assertion instead of client_id (RFC 7521 §4.2): the facade finds the client by its sub.
            expect(request.form?.get("client_assertion_type")).to.equal(JWT_BEARER_ASSERTION);
            expect(request.form?.get("client_assertion")).to.match(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
            expect(request.form?.has("client_secret")).to.equal(false);
        }
        expect(host.requests.filter((r) => r.url === "/oauth/jwks.json"), "the keys were fetched once, then cached").to.have.lengthOf(1);
    });

    it("refuses ChatGPT's code exchange when the assertion is signed by another key", async () => {
        const { privateKey } = await generateKeyPair("RS256", { extractable: true });
        const impostor = { ...(await exportJWK(privateKey)), kid: "chatgpt-test" };
        const provider = new PrivateKeyJwtClientProvider(chatGpt, impostor, CLIENT_REDIRECT, (url) => signIn(url, user()));
        const first = new StreamableHTTPClientTransport(mcpUrl(), { authProvider: provider });
        await new Client({ name: "client-docs-tests", version: "1.0.0" }).connect(first).catch(() => undefined);
        let refused: unknown;
        try {
            await first.finishAuth(provider.code ?? "");
        } catch (error) {
            refused = error;
        }
        expect(String(refused)).to.match(/signature does not verify/);
    });

    it("plays a command-line client: its document's portless loopback redirect URI, used on the port it listens on", async () => {
        const seen: Seen[] = [];
        const redirect = "http://127.0.0.1:43127/callback";
        const provider = new StaticClientProvider({ client_id: cli }, redirect, (url) => signIn(url, user()));
        const client = await connect(provider, seen);
        expect(provider.authorizationUrls[0].searchParams.get("redirect_uri")).to.equal(redirect);
        await refreshThrough(provider, client);
        await client.close();
        expect(seen.filter((s) => s.url === facadeUrls(local().outputs.apiUrl).token).map((s) => s.status)).to.deep.equal([200, 200]);
    });
});
