/**
 * The allow-list's patterns (issue 20, item 2) and loopback redirect URIs on any port (item 3): what a pattern may
 * say, what it matches, and the attacks that must not widen it.
 */
import { expect } from "chai";
import { clientIdPatternProblem, isAllowedClientId, matchesPattern } from "../handler/facade/clientIdPatterns";
import { isRegisteredRedirectUri } from "../handler/facade/redirectUris";
import { DEFAULT_CLIENT_METADATA_URLS, facadeEnvironment } from "../handler/facade/settings";
import { SETTINGS } from "../infra/settings";
import { API_URL, HOSTED_UI, SHADOW_CLIENT_ID, STATIC_CLIENT_ID, STATIC_REDIRECT } from "./facadeFixtures";

const PER_CONNECTOR = "https://chatgpt.com/oauth/*/client.json";

describe("client_id patterns: what the allow-list takes", () => {
    it("takes exact https URLs and patterns with * as one whole path segment, the defaults among them", () => {
        for (const entry of [...DEFAULT_CLIENT_METADATA_URLS, PER_CONNECTOR, "https://example.com/*/*/doc.json", "https://example.com:8443/clients/*"]) {
            expect(clientIdPatternProblem(entry), entry).to.equal(undefined);
        }
        expect(DEFAULT_CLIENT_METADATA_URLS).to.deep.equal([
            "https://chatgpt.com/oauth/client.json", PER_CONNECTOR, "https://claude.ai/oauth/mcp-oauth-client-metadata",
        ]);
    });

    it("refuses a pattern that would widen the host, the port, the scheme or the query, or * inside a segment", () => {
        const cases: Array<[string, RegExp]> = [
            ["https://*.chatgpt.com/oauth/client.json", /scheme and host of a pattern are exact/],
            ["https://chatgpt.*/oauth/client.json", /scheme and host of a pattern are exact/],
            ["https://*/oauth/client.json", /scheme and host of a pattern are exact/],
            ["https://chatgpt.com:*/oauth/client.json", /scheme and host of a pattern are exact/],
            ["https://user@chatgpt.com/oauth/*/client.json", /scheme and host of a pattern are exact/],
            ["http://chatgpt.com/oauth/*/client.json", /scheme and host of a pattern are exact/],
            ["*://chatgpt.com/oauth/client.json", /scheme and host of a pattern are exact/],
            ["https://chatgpt.com/oauth/client.json?id=*", /no query/],
            ["https://chatgpt.com/oauth/*/client.json#x", /no query and no fragment/],
            ["https://chatgpt.com/oauth/a*/client.json", /whole path segment/],
            ["https://chatgpt.com/oauth/**/client.json", /whole path segment/],
            ["https://chatgpt.com/oauth/*/../client.json", /dot segments/],
        ];
        for (const [entry, message] of cases) {
            expect(clientIdPatternProblem(entry), entry).to.match(message);
        }
        // A single-segment pattern under the root is allowed (a path other than "/"), but never the root itself.
        expect(clientIdPatternProblem("https://chatgpt.com/")).to.match(/https URL with a path/);
    });

    it("refuses a widening pattern in the facade's environment and in the stack's config, saying what to run", () => {
        expect(() => facadeEnvironment({
            apiUrl: API_URL,
            cognito: { authorizationEndpoint: `${HOSTED_UI}/oauth2/authorize`, tokenEndpoint: `${HOSTED_UI}/oauth2/token`, revocationEndpoint: `${HOSTED_UI}/oauth2/revoke` },
            shadowClientId: SHADOW_CLIENT_ID,
            stateKeySecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:state-key-AbCdEf",
            stateKeyVersionId: "00000000-0000-4000-8000-000000000001",
            clientMetadataUrls: ["https://*.chatgpt.com/oauth/client.json"],
            staticClients: { [STATIC_CLIENT_ID]: [STATIC_REDIRECT] },
        })).to.throw(/FACADE_CLIENT_METADATA_URLS .*patterns with \* standing for one whole path segment/);
        const setting = SETTINGS.mcpClientMetadataUrls;
        const parsed = setting.type.schema.safeParse(JSON.stringify(["https://chatgpt.com/oauth/*/client.json", "https://chatgpt.com/*x/client.json"]));
        expect(parsed.success).to.equal(false);
        expect(JSON.stringify(parsed.error?.issues)).to.match(/whole path segment/);
        expect(setting.type.schema.safeParse(JSON.stringify(DEFAULT_CLIENT_METADATA_URLS)).success).to.equal(true);
    });
});

describe("client_id patterns: what a pattern matches", () => {
    it("matches ChatGPT's per-connector documents, one plain segment standing for *", () => {
        for (const id of ["https://chatgpt.com/oauth/abc123/client.json", "https://chatgpt.com/oauth/codex/client.json", "https://chatgpt.com/oauth/a-b_c.d~e/client.json"]) {
            expect(matchesPattern(PER_CONNECTOR, id), id).to.equal(true);
            expect(isAllowedClientId(DEFAULT_CLIENT_METADATA_URLS, id), id).to.equal(true);
        }
        expect(isAllowedClientId(DEFAULT_CLIENT_METADATA_URLS, "https://chatgpt.com/oauth/client.json")).to.equal(true);
    });

    it("matches local mode's test-only loopback patterns as https ones, which no allow-list setting may hold", () => {
        const loopback = "http://127.0.0.1:8089/oauth/*/client.json";
        expect(clientIdPatternProblem(loopback)).to.match(/scheme and host of a pattern are exact/);
        expect(matchesPattern(loopback, "http://127.0.0.1:8089/oauth/cb_1/client.json")).to.equal(true);
        for (const id of ["http://127.0.0.1:8090/oauth/cb_1/client.json", "https://127.0.0.1:8089/oauth/cb_1/client.json",
            "http://127.0.0.1:8089/oauth/a/b/client.json", "http://127.0.0.1:8089/oauth/../client.json"]) {
            expect(matchesPattern(loopback, id), id).to.equal(false);
        }
        expect(isAllowedClientId(DEFAULT_CLIENT_METADATA_URLS, "http://chatgpt.com/oauth/cb_1/client.json")).to.equal(false);
        expect(isAllowedClientId(DEFAULT_CLIENT_METADATA_URLS, "https://claude.ai/oauth/mcp-oauth-client-metadata")).to.equal(true);
    });

    it("refuses another host, another port, two segments, an empty or dot segment, encoded slashes, a query or a fragment", () => {
        const refused = [
            "https://chatgpt.com.evil.com/oauth/abc/client.json",
            "https://evil.com/chatgpt.com/oauth/abc/client.json",
            "https://chatgpt.com:8443/oauth/abc/client.json",
            "https://chatgpt.com:443/oauth/abc/client.json",
            "https://ChatGPT.com/oauth/abc/client.json",
            "https://user@chatgpt.com/oauth/abc/client.json",
            "http://chatgpt.com/oauth/abc/client.json",
            "https://chatgpt.com/oauth/a/b/client.json",
            "https://chatgpt.com/oauth//client.json",
            "https://chatgpt.com/oauth/./client.json",
            "https://chatgpt.com/oauth/../client.json",
            "https://chatgpt.com/oauth/a%2Fb/client.json",
            "https://chatgpt.com/oauth/a%2fb/client.json",
            "https://chatgpt.com/oauth/%2E%2E/client.json",
            "https://chatgpt.com/oauth/a\\b/client.json",
            "https://chatgpt.com/oauth/abc/client.json?x=1",
            "https://chatgpt.com/oauth/abc/client.json#x",
            "https://chatgpt.com/oauth/abc?/client.json",
            "https://chatgpt.com/oauth/abc/client.json/",
            "https://chatgpt.com/oauth/client.json/extra",
        ];
        for (const id of refused) {
            expect(isAllowedClientId(DEFAULT_CLIENT_METADATA_URLS, id), id).to.equal(false);
        }
    });

    it("keeps exact entries exact: no prefix, no case folding", () => {
        expect(isAllowedClientId(["https://claude.ai/oauth/mcp-oauth-client-metadata"], "https://claude.ai/oauth/mcp-oauth-client-metadata/x")).to.equal(false);
        expect(isAllowedClientId(["https://claude.ai/oauth/mcp-oauth-client-metadata"], "https://claude.ai/OAUTH/mcp-oauth-client-metadata")).to.equal(false);
    });
});

describe("loopback redirect URIs: any port (RFC 8252 §7.3)", () => {
    const registered = ["http://127.0.0.1/callback", "http://[::1]/cb?x=1", "http://localhost/callback", "https://claude.ai/api/mcp/auth_callback"];

    it("matches a registered loopback IP literal's URI on any port, the rest exactly", () => {
        for (const uri of ["http://127.0.0.1/callback", "http://127.0.0.1:53682/callback", "http://127.0.0.1:1/callback", "http://[::1]:8080/cb?x=1", "http://[::1]/cb?x=1"]) {
            expect(isRegisteredRedirectUri(registered, uri), uri).to.equal(true);
        }
    });

    it("refuses localhost on another port, another loopback host, path, query or scheme, and a port on an https URI", () => {
        for (const uri of [
            "http://localhost:8080/callback", "http://127.0.0.2:8080/callback", "http://127.0.0.1:8080/callback/x", "http://127.0.0.1:8080/other",
            "http://127.0.0.1:8080/callback?x=1", "https://127.0.0.1:8080/callback", "http://[::1]:8080/cb", "http://127.0.0.1:99999/callback",
            "http://127.0.0.1:8080/callback#f", "http://127.0.0.1:80a/callback", "http://0x7f.0.0.1:8080/callback", "http://[0:0:0:0:0:0:0:1]:8080/cb?x=1",
            "https://claude.ai:8443/api/mcp/auth_callback", "http://127.0.0.1@evil.com:8080/callback",
        ]) {
            expect(isRegisteredRedirectUri(registered, uri), uri).to.equal(false);
        }
        expect(isRegisteredRedirectUri(registered, "http://localhost/callback"), "localhost exactly as registered").to.equal(true);
    });
});
