/**
 * The MCP Inspector against local mode with no config: its default callbacks are registered for local mode's MCP
 * client, and a loopback callback (http on 127.0.0.1, as its CLI and TUI use) is a valid mcpCallbackUrl, which only
 * the OAuth facade checks.
 */
import { expect } from "chai";
import { createHash, randomBytes } from "node:crypto";
import { parseConfig } from "../infra/config";
import { facadeUrls } from "../handler/facade/paths";
import { mcpScope } from "../infra/mcpMetadata";
import { INSPECTOR_CALLBACK_URLS } from "../local/server";
import { localModeForSuite } from "./localMode";

describe("the MCP Inspector and local mode", function () {
    this.timeout(20_000);
    const local = localModeForSuite();

    it("accepts a loopback MCP callback URL in the config: http on 127.0.0.1, [::1] or localhost, any port", () => {
        for (const url of ["http://127.0.0.1:6276/oauth/callback", "http://[::1]:8090/callback", "http://localhost:6274/oauth/callback"]) {
            expect(parseConfig({ mcpCallbackUrl: url }, "gpt-action", "dev").mcp?.callbackUrls).to.include(url);
        }
        expect(() => parseConfig({ mcpCallbackUrl: "http://192.168.1.2:6276/oauth/callback" }, "gpt-action", "dev"))
            .to.throw(/mcpCallbackUrl = "http:\/\/192\.168\.1\.2:6276\/oauth\/callback" must use https:\/\/ \(or http:\/\/ on 127\.0\.0\.1/);
    });

    it("registers the Inspector's default callbacks for its MCP client, after its own", () => {
        expect(local().outputs.mcpCallbackUrls?.[0]).to.match(/^http:\/\/localhost:\d+\/callback$/);
        expect(local().outputs.mcpCallbackUrls).to.include.members(INSPECTOR_CALLBACK_URLS).and.include("http://127.0.0.1:6276/oauth/callback");
    });

    for (const redirectUri of INSPECTOR_CALLBACK_URLS) {
        it(`lets the MCP client start a sign-in to ${redirectUri}`, async () => {
            const challenge = createHash("sha256").update(randomBytes(32).toString("base64url")).digest("base64url");
            const url = new URL(facadeUrls(local().outputs.apiUrl).authorize);
            url.search = new URLSearchParams({
                response_type: "code", client_id: local().outputs.mcpClientId ?? "", redirect_uri: redirectUri, state: "s",
                scope: mcpScope(local().outputs.apiUrl), resource: local().outputs.mcpServerUrl ?? "",
                code_challenge: challenge, code_challenge_method: "S256",
            }).toString();
            const res = await fetch(url, { redirect: "manual" });
            expect(res.status, await res.text()).to.equal(302);
            expect(res.headers.get("location")).to.match(new RegExp(`^${local().outputs.authorizationUrl}\\?`));
        });
    }
});
