/**
 * Local mode serves what the deployed stack serves at the same paths, and nothing more: the API under the stage,
 * the hosted UI's endpoints at the root (Cognito's domain), and the issuer's discovery document and keys under the
 * issuer's own path (Cognito's cognito-idp host), never at the host root where a client guessing metadata would
 * find a token endpoint that cannot redeem the OAuth facade's codes.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { localModeForSuite } from "./localMode";

describe("local mode's paths, as deployed", () => {
    const local = localModeForSuite();

    it("serves no discovery document and no keys at the host root", async () => {
        for (const path of ["/.well-known/openid-configuration", "/.well-known/jwks.json", "/.well-known/oauth-authorization-server", "/.well-known/oauth-protected-resource"]) {
            expect((await fetch(`${local().baseUrl}${path}`)).status, path).to.equal(404);
        }
    });

    it("serves the issuer's discovery document under the issuer, naming the hosted UI's endpoints at the root", async () => {
        const issuer = local().authority.issuer;
        expect(new URL(issuer).pathname, "a pool id's path, as cognito-idp's issuer has").to.match(/^\/[a-z0-9-]+_[A-Za-z0-9]+$/);
        const discovery = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json() as Record<string, unknown>;
        expect(discovery).to.include({
            issuer,
            authorization_endpoint: local().outputs.authorizationUrl,
            token_endpoint: local().outputs.tokenUrl,
            jwks_uri: `${issuer}/.well-known/jwks.json`,
        });
        expect((await fetch(`${issuer}/.well-known/jwks.json`)).status).to.equal(200);
    });

    it("shows the next command on its callback page, which exchanges the code when pasted", async () => {
        const callback = local().outputs.callbackUrls[0];
        const signedIn = await fetch(`${local().baseUrl}/login`, {
            method: "POST", redirect: "manual",
            body: new URLSearchParams({
                response_type: "code", client_id: local().outputs.clientId, redirect_uri: callback, scope: "openid", state: "s",
                username: local().outputs.testUser.username, password: local().outputs.testUser.password,
            }),
        });
        const page = await (await fetch(signedIn.headers.get("location") ?? "")).text();
        const command = /Next, exchange the code for tokens:<\/p><p><code>(.*?)<\/code>/.exec(page)?.[1]
            ?.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
        expect(command, page).to.match(/^curl -s -u "gpt-action-local:\$CLIENT_SECRET" /);
        // Asynchronously: local mode runs in this process and must answer curl meanwhile.
        const { stdout: answer } = await promisify(execFile)("sh", ["-c", command ?? ""], { env: { ...process.env, CLIENT_SECRET: local().outputs.clientSecret }, timeout: 15_000 });
        expect(JSON.parse(answer) as Record<string, unknown>).to.include({ token_type: "Bearer" }).and.have.property("access_token");
    });
});
