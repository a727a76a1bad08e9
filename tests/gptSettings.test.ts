import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { projectFile } from "../infra/stackFiles";
import { formatSettings } from "../scripts/gptSettings";
import { readOutputs } from "../scripts/outputs";

const FIXTURE = path.join(__dirname, "fixtures", "stack-outputs.json");

describe("npm run gpt-settings", () => {
    const outputs = readOutputs(FIXTURE, "gpt-settings");
    const text = formatSettings(outputs);
    const lines = text.split("\n");

    it("follows the action editor, as the README says: Authentication at the top, then Schema, then save", () => {
        const steps = ["1. Authentication", "2. Schema", "3. Save"].map((step) => lines.findIndex((l) => l.startsWith(step)));
        expect(steps.every((p) => p >= 0), text).to.be.true;
        expect([...steps].sort((a, b) => a - b)).to.deep.equal(steps);
        const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
        const connect = readme.slice(readme.indexOf("### Connect ChatGPT"), readme.indexOf("### Check the deployed stack"));
        expect(connect).to.include("shows **Authentication** at the top, above\n**Schema**");
        const readmeSteps = ["\n1. ", "**Authentication**", "\n2. **Schema**", "\n3. Save"].map((s) => connect.indexOf(s, connect.indexOf("\n1. ")));
        expect(readmeSteps.every((p) => p >= 0)).to.be.true;
        expect([...readmeSteps].sort((a, b) => a - b)).to.deep.equal(readmeSteps);
    });

    it("lists ChatGPT's OAuth fields in the editor's order, with the stack's values", () => {
        const labels = ["Authentication type", "Client ID", "Client Secret", "Authorization URL", "Token URL", "Scope", "Token Exchange Method"];
        const positions = labels.map((label) => lines.findIndex((l) => l.trimStart().startsWith(label)));
        expect(positions.every((p) => p > 0)).to.be.true;
        expect([...positions].sort((a, b) => a - b)).to.deep.equal(positions);
        expect(lines[positions[1]]).to.match(/Client ID\s+4mocpq1lr0uqknv9j2g6example$/);
        expect(lines[positions[2]]).to.match(/Client Secret\s+example-secret-1q2w3e4r5t6y7u8i9o0p$/);
        expect(lines[positions[3]]).to.match(/Authorization URL\s+https:\/\/gpt-action-dev-482913\.auth\.eu-west-1\.amazoncognito\.com\/oauth2\/authorize$/);
        expect(lines[positions[4]]).to.match(/Token URL\s+https:\/\/.*\/oauth2\/token$/);
        expect(lines[positions[5]]).to.match(/Scope\s+openid$/);
        expect(lines[positions[6]]).to.match(/Token Exchange Method\s+Basic authorization header$/);
    });

    it("prints the whole schema after the OAuth fields", () => {
        expect(text).to.include(outputs.openApiSchema);
        expect(text.indexOf(outputs.openApiSchema)).to.be.greaterThan(text.indexOf("Token Exchange Method"));
    });

    it("ends with the callback URL step", () => {
        expect(text).to.match(/No ChatGPT callback URL is registered yet[\s\S]*pulumi config set callbackUrl <the callback URL> && pulumi up\n$/);
        const registered = formatSettings({ ...outputs, callbackUrls: ["https://chatgpt.com/aip/g-1/oauth/callback", "https://chat.openai.com/aip/g-1/oauth/callback"] });
        expect(registered).to.include("Registered now: https://chatgpt.com/aip/g-1/oauth/callback, https://chat.openai.com/aip/g-1/oauth/callback");
    });

    it("refuses outputs read without --show-secrets", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gpt-settings-"));
        const hidden = path.join(dir, "outputs.json");
        fs.writeFileSync(hidden, JSON.stringify({ ...outputs, clientSecret: "[secret]" }));
        try {
            expect(() => readOutputs(hidden, "gpt-settings")).to.throw(/pulumi stack output --json --show-secrets/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("makes Pulumi.yaml a pulumi new template that asks for the region and both callback URLs", () => {
        const prompts = projectFile().template?.config ?? {};
        expect(Object.keys(prompts)).to.have.members(["aws:region", "callbackUrl", "mcpCallbackUrl"]);
        expect(prompts.callbackUrl.default).to.equal("");
        expect(prompts.mcpCallbackUrl.default).to.equal("");
        expect(prompts["aws:region"].description).to.be.a("string").and.not.empty;
    });
});

describe("npm run smoke and npm run gpt-settings without the Pulumi CLI", () => {
    for (const [script, file] of [["smoke", "smoke.ts"], ["gpt-settings", "gptSettings.ts"]]) {
        it(`${script} says the CLI is needed, where to get it, and how to pass a saved outputs file`, function () {
            this.timeout(30_000);
            // An empty PATH: `pulumi` cannot be found, as on a machine without the CLI.
            const run = spawnSync(process.execPath, ["--require", "tsx/cjs", path.join(__dirname, "..", "scripts", file)], {
                encoding: "utf8", env: { ...process.env, PATH: "" }, stdio: ["ignore", "pipe", "pipe"],
            });
            expect(run.status, run.stderr).to.equal(1);
            expect(run.stderr).to.include("needs the Pulumi CLI").and.include("https://www.pulumi.com/docs/install/");
            expect(run.stderr).to.include(`npm run ${script} -- outputs.json`);
            expect(run.stderr).to.not.include("ENOENT");
        });
    }
});
