/**
 * Which stack config local mode runs with, and its command line: a named stack's file must exist, secret values
 * are skipped and named, a user's configured Pulumi.dev.yaml does not break it, the outputs can go to a file that
 * `npm run smoke` reads, and a busy port names PORT.
 */
import { expect } from "chai";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { startLocal } from "../local/server";
import { IGNORED_SECRET, readStackConfig } from "../local/stackConfig";
import { LOCAL_STACK_FILE, clearHandlerEnv, silenceLogs } from "./localMode";

const ROOT = path.join(__dirname, "..");
const FIXTURES = path.join(__dirname, "fixtures");
/** A Pulumi.dev.yaml as a user has it after the README's deploy steps: eu-west-1, a callbackUrl, secrets. */
const USER_STACK = path.join(FIXTURES, "user-dev-stack.yaml");
const CHATGPT_CALLBACK = "https://chatgpt.com/aip/g-0123456789abcdef/oauth/callback";

/** Runs local mode's command (as npm run local does, without the bundling step) until its first line of output. */
function runLocal(env: Record<string, string>, args: string[] = []): Promise<{ firstLine: string; stdout: string; stderr: string; code: number | null }> {
    const child = spawn(process.execPath, ["--require", "tsx/cjs", "local/main.ts", ...args], {
        cwd: ROOT,
        env: { ...process.env, PORT: "0", GPT_ACTION_STACK_FILE: LOCAL_STACK_FILE, ...env },
        stdio: ["ignore", "pipe", "pipe"],
    });
    return new Promise((resolve) => {
        let stdout = "";
        let stderr = "";
        child.stderr.on("data", (chunk: Buffer) => { stderr += chunk.toString(); });
        child.stdout.on("data", (chunk: Buffer) => {
            stdout += chunk.toString();
            // The summary's last line: it has said everything; stop it (what it wrote is still read to the end).
            if (stdout.includes("Ctrl-C stops it.")) {
                child.kill();
            }
        });
        child.on("close", (code) => resolve({ firstLine: stdout.split("\n")[0], stdout, stderr, code }));
    });
}

describe("local mode's stack config and command line", function () {
    this.timeout(20_000);
    let restoreLogs: () => void;
    before(() => { restoreLogs = silenceLogs(); });
    after(() => {
        restoreLogs();
        clearHandlerEnv();
    });

    it("refuses a stack whose Pulumi.<stack>.yaml does not exist, naming the file, instead of running on defaults", async () => {
        let error: unknown;
        try {
            await startLocal({ port: 0, stack: "no-such-stack" });
        } catch (caught) {
            error = caught;
        }
        expect(String(error)).to.include(`Pulumi.no-such-stack.yaml does not exist`).and.include("GPT_ACTION_STACK");
        const cli = await runLocal({ GPT_ACTION_STACK: "no-such-stack", GPT_ACTION_STACK_FILE: "" });
        expect(cli.code).to.equal(1);
        expect(cli.stderr).to.include("Pulumi.no-such-stack.yaml");
    });

    it("skips secret values, top-level or nested, and names each", () => {
        const { values, ignoredSecrets } = readStackConfig(USER_STACK, "gpt-action");
        expect(ignoredSecrets).to.deep.equal(["testUserEmail", "identityProviders[0].clientSecret"]);
        expect(values).to.not.have.property("testUserEmail");
        expect(values).to.not.have.property("aws:region");
        expect(JSON.parse(values.identityProviders ?? "[]")).to.have.nested.property("[0].clientSecret", IGNORED_SECRET);
        expect(values.callbackUrl).to.equal(CHATGPT_CALLBACK);
    });

    it("runs with a user's Pulumi.dev.yaml (another region, a callbackUrl, secrets), registering its callback URL", async () => {
        const local = await startLocal({ port: 0, stackFile: USER_STACK });
        try {
            expect(local.outputs.callbackUrls).to.include(CHATGPT_CALLBACK);
            expect(local.config.accessTokenMinutes).to.equal(15);
            expect(local.ignoredSecrets).to.have.lengthOf(2);
            const res = await fetch(`${local.outputs.authorizationUrl}?${new URLSearchParams({ response_type: "code", client_id: local.outputs.clientId, redirect_uri: CHATGPT_CALLBACK, scope: "openid" }).toString()}`, { redirect: "manual" });
            expect(res.status).to.equal(302);
        } finally {
            await local.close();
        }
    });

    it("prints the outputs JSON first with --json, the ignored secrets on stderr, and writes --outputs-file for npm run smoke", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gpt-action-outputs-"));
        const file = path.join(dir, "outputs.json");
        try {
            const run = runLocal({ GPT_ACTION_STACK_FILE: USER_STACK }, ["--outputs-file", file, "--json"]);
            const { firstLine, stderr } = await run;
            const printed = JSON.parse(firstLine) as Record<string, unknown>;
            expect(JSON.parse(fs.readFileSync(file, "utf8"))).to.deep.equal(printed);
            expect(fs.statSync(file).mode & 0o077, "only the owner may read the secret in it").to.equal(0);
            expect(stderr).to.include("Ignored secret config values").and.include("testUserEmail, identityProviders[0].clientSecret");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("prints a short summary by default: URLs, client ids, the test user and where the secrets are, not the secrets", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gpt-action-outputs-"));
        const file = path.join(dir, "outputs.json");
        try {
            const { stdout } = await runLocal({ LOCAL_OUTPUTS_FILE: file });
            const outputs = JSON.parse(fs.readFileSync(file, "utf8")) as { apiUrl: string; clientId: string; clientSecret: string; mcpServerUrl: string; mcpClientId: string; mcpClientSecret: string };
            expect(stdout.split("\n")[0]).to.match(/^gpt-action local mode on http:\/\/127\.0\.0\.1:\d+ /);
            expect(stdout).to.include(outputs.apiUrl).and.include(outputs.clientId).and.include(outputs.mcpServerUrl)
                .and.include(outputs.mcpClientId).and.include(file).and.include("http://127.0.0.1:6276/oauth/callback");
            expect(stdout).to.not.include(outputs.clientSecret).and.not.include(outputs.mcpClientSecret);
            expect(Math.max(...stdout.split("\n").map((line) => line.length)), "no line is a wall of JSON").to.be.below(400);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("accepts your own loopback client metadata documents with LOCAL_CLIENT_METADATA_URLS, and refuses any other URL there", async () => {
        const mine = "http://127.0.0.1:8089/client.json";
        const { stdout } = await runLocal({ LOCAL_CLIENT_METADATA_URLS: ` ${mine} ` });
        expect(stdout).to.match(new RegExp(`CIMD +client ids accepted: .*${mine.replace(/\./g, "\\.")}`));
        const refused = await runLocal({ LOCAL_CLIENT_METADATA_URLS: "https://client.example/client.json" });
        expect(refused.code).to.equal(1);
        expect(refused.stderr).to.include("LOCAL_CLIENT_METADATA_URLS").and.include("http://127.0.0.1:<port>/<path>");
    });

    it("lets npm run smoke check a running local mode from its outputs file (LOCAL_OUTPUTS_FILE)", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gpt-action-outputs-"));
        const file = path.join(dir, "outputs.json");
        const child = spawn(process.execPath, ["--require", "tsx/cjs", "local/main.ts"], {
            cwd: ROOT,
            env: { ...process.env, PORT: "0", GPT_ACTION_STACK_FILE: USER_STACK, LOCAL_OUTPUTS_FILE: file },
            stdio: ["ignore", "pipe", "ignore"],
        });
        try {
            await new Promise<void>((resolve, reject) => {
                child.stdout.once("data", () => resolve());
                child.once("exit", () => reject(new Error("local mode exited")));
            });
            const smoke = spawnSync(process.execPath, ["--require", "tsx/cjs", "scripts/smoke.ts", file], { cwd: ROOT, encoding: "utf8" });
            expect(smoke.status, smoke.stdout + smoke.stderr).to.equal(0);
            expect(smoke.stdout).to.include(`authorize accepts ${CHATGPT_CALLBACK}`).and.match(/All \d+ checks passed/);
            // Plain-HTTP localhost: the TLS checks are listed as what only a deploy runs.
            expect(smoke.stdout).to.match(/Deploy-only, not run here:\n {2}- 127\.0\.0\.1:\d+ refuses TLS 1\.0 /);
        } finally {
            child.kill();
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("names PORT when the port is in use", async () => {
        const busy = createServer();
        await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
        try {
            const port = String((busy.address() as AddressInfo).port);
            const { code, stderr } = await runLocal({ PORT: port });
            expect(code).to.equal(1);
            expect(stderr).to.include(`Port ${port}`).and.include("set PORT");
        } finally {
            busy.close();
        }
    });
});
