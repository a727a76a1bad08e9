/**
 * `npm run smoke` against local mode: every check that applies to plain-HTTP localhost passes on a correct stack and
 * fails on the fault it is there for; the TLS checks, deploy-only here, run against a local TLS server instead.
 */
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as tls from "node:tls";
import { FACADE_METHODS } from "../handler/facade/paths";
import { routeList } from "../handler/routes";
import { MCP_METADATA_PATHS, mcpScope } from "../infra/mcpMetadata";
import { parseOutputs, type StackOutputs } from "../scripts/outputs";
import { formatReport, smoke, type CheckResult } from "../scripts/smoke";
import { handshake } from "../scripts/tlsProbe";
import { localModeForSuite } from "./localMode";
import { mcpTokens } from "./signIn";
import { yamlOf } from "./yamlForm";

/** The route table's paths, each of which `npm run smoke` calls without a token. */
const tablePaths = (): string[] => [...new Set(routeList().map((r) => r.path))];

const failures = (results: readonly CheckResult[]): CheckResult[] => results.filter((r) => !r.ok);

/** A server on 127.0.0.1 answering every request with `status` and `body`; closed by the returned function. */
async function standIn(status: number, body: string): Promise<{ url: string; close: () => void }> {
    const server: Server = createServer((_req, res) => res.writeHead(status, { "Content-Type": "application/json" }).end(body));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

/** `outputs` with one more POST route in the GPT schema, at `path`. */
function withExtraRoute(outputs: StackOutputs, path: string): StackOutputs {
    const schema = JSON.parse(outputs.openApiSchema) as { paths: Record<string, unknown> };
    return { ...outputs, openApiSchema: JSON.stringify({ ...schema, paths: { ...schema.paths, [path]: { post: { operationId: "gone" } } } }) };
}

/** An unsigned JWT carrying `claims`: the audience check reads a token, it does not verify one. */
const unsignedJwt = (claims: object): string =>
    [{ alg: "none" }, claims].map((part) => Buffer.from(JSON.stringify(part)).toString("base64url")).join(".") + ".";

describe("npm run smoke, against local mode", function () {
    this.timeout(30_000);
    const local = localModeForSuite();

    it("passes every check that applies to local mode, each named by what it proves", async () => {
        const { outputs } = local();
        const report = await smoke(outputs);
        expect(failures(report.results), JSON.stringify(report.results)).to.deep.equal([]);
        const apiUrl = new URL(outputs.apiUrl);
        const facadeNames = Object.entries(FACADE_METHODS).map(([p, method]) => `${method} ${p} reaches the OAuth facade`);
        const documentNames = [...MCP_METADATA_PATHS.protectedResource, ...MCP_METADATA_PATHS.authorizationServer]
            .map((p) => `GET ${p} serves its discovery document as application/json, also to a browser`);
        expect(report.results.map((r) => r.name)).to.include.members([
            ...tablePaths().map((p) => `POST ${p} without a token is refused`),
            `authorize accepts ${outputs.callbackUrls[0]}`,
            "token endpoint knows the client id and secret",
            "a 401 from /mcp sends the WWW-Authenticate challenge the document declares, verbatim",
            "the protected resource metadata names the MCP server",
            "the authorization server metadata offers PKCE with S256 at the facade's endpoints",
            ...documentNames,
            ...facadeNames,
            "OPTIONS /oauth/token: a browser's preflight is allowed POST with Authorization",
            "OPTIONS /oauth/revoke: a browser's preflight is allowed POST with Authorization",
            ...[...tablePaths(), "/mcp"].map((p) => `OPTIONS ${p}: the preflight and the 401 agree on CORS`),
        ]);
        // Local mode is plain HTTP on one host: its TLS checks, and the execute-api one, are listed, not run.
        expect(report.notRun.filter((n) => n.deployOnly).map((n) => n.name)).to.deep.equal([
            `${apiUrl.host} refuses TLS 1.0`,
            `${apiUrl.host} accepts TLS 1.2 with a valid certificate`,
            "the execute-api host is refused beside the custom domain",
        ]);
        const printed = formatReport(report);
        expect(printed).to.include(`Deploy-only, not run here:\n  - ${apiUrl.host} refuses TLS 1.0 (`);
        expect(printed).to.match(/All \d+ checks passed\.$/);
    });

    it("reads the resource binding off a real MCP access token, and catches a token bound to nothing", async () => {
        const { outputs } = local();
        const scope = mcpScope(outputs.apiUrl);
        const { access_token } = await mcpTokens(outputs, scope);
        const bound = (await smoke(outputs, { mcpAccessToken: access_token })).results.find((r) => r.name.startsWith("the MCP access token's aud"));
        expect(bound?.ok, bound?.detail).to.be.true;
        expect(bound?.detail).to.include(JSON.stringify(outputs.mcpServerUrl));
        const unbound = (await smoke(outputs, { mcpAccessToken: unsignedJwt({ scope }) })).results.find((r) => r.name.startsWith("the MCP access token's aud"));
        expect(unbound?.ok).to.be.false;
        expect(unbound?.detail).to.match(/not bound to the MCP server/);
    });

    it("finds a route removed since the earlier outputs gone, and one still served", async () => {
        const { outputs } = local();
        const removed = await smoke(outputs, { previous: withExtraRoute(outputs, "/orders/lookup") });
        const gone = removed.results.find((r) => r.name === "removed route POST /orders/lookup is gone");
        expect(gone?.ok, gone?.detail).to.be.true;
        expect(gone?.detail).to.match(/^403 /);
        // The stage still serves /my_route, which these outputs' table no longer lists: a route that lingered.
        const schema = JSON.parse(outputs.openApiSchema) as { paths: Record<string, unknown> };
        const lingering = tablePaths()[0];
        const rest = Object.fromEntries(Object.entries(schema.paths).filter(([p]) => p !== lingering));
        const report = await smoke({ ...outputs, openApiSchema: JSON.stringify({ ...schema, paths: rest }) }, { previous: outputs });
        expect(failures(report.results).map((r) => r.name)).to.deep.equal([`removed route POST ${lingering} is gone`]);
        expect(failures(report.results)[0].detail).to.match(/^answered 401 .*still exists/);
    });

    it("checks that a custom domain's execute-api host is refused, and catches one that still serves", async () => {
        const { outputs } = local();
        for (const [status, ok] of [[403, true], [401, false]] as const) {
            const executeApi = await standIn(status, `{"message":"${status === 403 ? "Forbidden" : "Unauthorized"}"}`);
            try {
                const report = await smoke({ ...outputs, executeApiUrl: `${executeApi.url}/Prod` });
                const check = report.results.find((r) => r.name === "the execute-api host is refused beside the custom domain");
                expect(check?.ok, check?.detail).to.equal(ok);
            } finally {
                executeApi.close();
            }
        }
    });

    it("catches a wrong client secret", async () => {
        const { results } = await smoke({ ...local().outputs, clientSecret: "stale-secret" });
        const token = results.find((r) => r.name.startsWith("token endpoint"));
        expect(token?.ok).to.be.false;
        expect(token?.detail).to.match(/invalid_client/);
    });

    it("catches a callback URL the app client does not have", async () => {
        const { outputs } = local();
        const { results } = await smoke({ ...outputs, callbackUrls: [...outputs.callbackUrls, "https://chatgpt.com/aip/g-new/oauth/callback"] });
        expect(failures(results).map((r) => r.name)).to.deep.equal(["authorize accepts https://chatgpt.com/aip/g-new/oauth/callback"]);
        const detail = failures(results)[0]?.detail ?? "";
        expect(detail).to.include("pulumi config set callbackUrl <url> && pulumi up");
        expect(yamlOf(detail), detail).to.deep.equal({ "gpt-action:callbackUrl": "<url>" });
    });

    it("catches an API that answers without a token", async () => {
        const open = await standIn(200, '{"success":true}');
        try {
            const { results } = await smoke({ ...local().outputs, apiUrl: `${open.url}/Prod` });
            const unguarded = results.filter((r) => r.name.includes("without a token"));
            expect(unguarded).to.have.lengthOf(tablePaths().length);
            expect(unguarded.every((r) => !r.ok && /expected 401, got 200/.test(r.detail))).to.be.true;
        } finally {
            open.close();
        }
    });

    it("asks for --show-secrets when the secret is hidden, and for a deploy when outputs are missing", () => {
        expect(() => parseOutputs({ ...local().outputs, clientSecret: "[secret]" })).to.throw(/--show-secrets/);
        expect(() => parseOutputs({ apiUrl: "x" })).to.throw(/lack authorizationUrl/);
    });
});

describe("npm run smoke's TLS checks, against a local TLS server", function () {
    this.timeout(30_000);
    let dir: string;
    let key: Buffer;
    let cert: Buffer;

    before(function () {
        // A throwaway self-signed certificate for localhost; without openssl the suite cannot make one.
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "gpt-action-tls-"));
        try {
            execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem"),
                "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"], { stdio: "ignore" });
        } catch {
            this.skip();
        }
        key = fs.readFileSync(path.join(dir, "key.pem"));
        cert = fs.readFileSync(path.join(dir, "cert.pem"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** The TLS checks' results against a server on localhost with `options` (its versions and ciphers). */
    async function tlsResults(options: tls.TlsOptions): Promise<CheckResult[]> {
        const server = tls.createServer({ key, cert, ...options }, (socket) => socket.end());
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const origin = `https://localhost:${(server.address() as AddressInfo).port}`;
        try {
            const outputs: StackOutputs = {
                apiUrl: `${origin}/Prod`, authorizationUrl: `${origin}/oauth2/authorize`, tokenUrl: `${origin}/oauth2/token`, clientId: "c", clientSecret: "s",
                scope: "openid", openApiSchema: JSON.stringify({ paths: {} }), callbackUrls: [],
            };
            const { results } = await smoke(outputs, { ca: cert });
            return results.filter((r) => r.name.includes("TLS"));
        } finally {
            server.close();
        }
    }

    it("passes a host that refuses TLS 1.0 and accepts TLS 1.2 with a valid certificate", async () => {
        const results = await tlsResults({ minVersion: "TLSv1.2" });
        expect(results.map((r) => [r.name.replace(/:\d+/, ""), r.ok])).to.deep.equal([["localhost refuses TLS 1.0", true], ["localhost accepts TLS 1.2 with a valid certificate", true]]);
        expect(results[0].detail).to.match(/refused: ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION/);
    });

    it("fails a host that still accepts TLS 1.0 (the Regional default a bare overwrite import restores, W5)", async () => {
        const results = await tlsResults({ minVersion: "TLSv1", ciphers: "DEFAULT:@SECLEVEL=0" });
        expect(results.map((r) => r.ok)).to.deep.equal([false, true]);
        expect(results[0].detail).to.equal("a TLS 1.0 handshake succeeded (TLSv1)");
    });

    it("fails a certificate that does not verify, and proves nothing about a host it cannot reach", async () => {
        const results = await tlsResults({ minVersion: "TLSv1.2", ...selfSignedFor("other") });
        expect(results.map((r) => r.ok)).to.deep.equal([true, false]);
        expect(results[1].detail).to.match(/certificate does not verify/);
        expect(await handshake({ host: "127.0.0.1", port: 1 }, "TLSv1")).to.include({ outcome: "inconclusive" });
    });

    /** Another self-signed certificate, which the checks' `ca` does not trust. */
    function selfSignedFor(name: string): { key: Buffer; cert: Buffer } {
        execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", path.join(dir, `${name}.key`), "-out", path.join(dir, `${name}.pem`),
            "-days", "1", "-subj", `/CN=${name}`], { stdio: "ignore" });
        return { key: fs.readFileSync(path.join(dir, `${name}.key`)), cert: fs.readFileSync(path.join(dir, `${name}.pem`)) };
    }
});
