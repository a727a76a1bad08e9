import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { projectFile } from "../infra/stackFiles";
import { CHATGPT_CLIENT_METADATA_URL, cimdKnownOff, formatSettings } from "../scripts/gptSettings";
import { parseOutputs, readOutputs } from "../scripts/outputs";
import { runProgram } from "./harness";
import { yamlOf } from "./yamlForm";

const FIXTURE = path.join(__dirname, "fixtures", "stack-outputs.json");
/** The first line of the ChatGPT app's form, which follows the GPT Action's. */
const MCP_FORM = "ChatGPT → Settings → Apps → Create app";
/** The first line of the alternative for clients without CIMD, which follows the default path. */
const USER_DEFINED = "For clients without CIMD";
const MCP_KEYS = ["mcpServerUrl", "mcpClientId", "mcpClientSecret", "mcpCallbackUrls"];

/** The fixture's outputs without `keys`, as `pulumi stack output` gives them for a stack without those outputs. */
function fixtureWithout(...keys: string[]): ReturnType<typeof parseOutputs> {
    const json = JSON.parse(fs.readFileSync(FIXTURE, "utf8")) as Record<string, unknown>;
    return parseOutputs(Object.fromEntries(Object.entries(json).filter(([key]) => !keys.includes(key))));
}

/** The index of the form line `label` (followed by the two-space gap before its value) in `lines`, from `from`, and its value. */
function field(lines: readonly string[], label: string, from = 0): { index: number; value: string } {
    const index = lines.findIndex((line, i) => i >= from && line.startsWith(`   ${label}  `));
    return { index, value: index < 0 ? "" : lines[index].slice(3 + label.length).trim() };
}

describe("npm run gpt-settings", () => {
    const outputs = readOutputs(FIXTURE, "gpt-settings");
    const text = formatSettings(outputs);
    const lines = text.split("\n");
    const mcpStart = lines.findIndex((line) => line.startsWith(MCP_FORM));
    /** The GPT Action's form, as printed alone: everything before the blank line that precedes the ChatGPT app's. */
    const gptText = text.slice(0, text.indexOf(`\n${MCP_FORM}`));
    const mcpLines = lines.slice(mcpStart);
    const mcpText = mcpLines.join("\n");
    const info = (JSON.parse(outputs.openApiSchema) as { info: { title: string; description: string } }).info;

    it("follows the action editor, as the README says: Authentication at the top, then Schema, then save", () => {
        const steps = ["1. Authentication", "2. Schema", "3. Save"].map((step) => lines.findIndex((l) => l.startsWith(step)));
        expect(steps.every((p) => p >= 0), text).to.be.true;
        expect([...steps].sort((a, b) => a - b)).to.deep.equal(steps);
        const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
        const connect = readme.slice(readme.indexOf("### As a GPT Action"), readme.indexOf("## Add a route"));
        expect(connect).to.include("shows **Authentication** at the top, above\n**Schema**");
        const readmeSteps = ["\n1. ", "**Authentication**", "\n2. **Schema**", "\n3. Save"].map((s) => connect.indexOf(s, connect.indexOf("\n1. ")));
        expect(readmeSteps.every((p) => p >= 0)).to.be.true;
        expect([...readmeSteps].sort((a, b) => a - b)).to.deep.equal(readmeSteps);
    });

    it("lists ChatGPT's OAuth fields in the editor's order, with the stack's values", () => {
        const labels = ["Authentication type", "Client ID", "Client Secret", "Authorization URL", "Token URL", "Scope", "Token Exchange Method"];
        const positions = labels.map((label) => lines.findIndex((l) => l.trimStart().startsWith(label)));
        expect(positions.every((p) => p > 0 && p < mcpStart)).to.be.true;
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

    it("ends the GPT Action's form with the callback URL step", () => {
        expect(gptText).to.match(/No ChatGPT callback URL is registered yet[\s\S]*pulumi config set callbackUrl <the callback URL> && pulumi up\n {3}or in Pulumi.<stack>.yaml, under config:\n.*\n$/);
        expect(yamlOf(gptText.slice(gptText.indexOf("pulumi config set callbackUrl")))).to.deep.equal({ "gpt-action:callbackUrl": "<the callback URL>" });
        const registered = formatSettings({ ...outputs, callbackUrls: ["https://chatgpt.com/aip/g-1/oauth/callback", "https://chat.openai.com/aip/g-1/oauth/callback"] });
        expect(registered).to.include("Registered now: https://chatgpt.com/aip/g-1/oauth/callback, https://chat.openai.com/aip/g-1/oauth/callback");
    });

    it("then prints ChatGPT's Create app form in the README's steps: developer mode, the app, OAuth, create; then the user-defined client", () => {
        expect(mcpStart, text).to.be.greaterThan(lines.findIndex((l) => l.includes("pulumi config set callbackUrl")));
        const steps = ["1. Settings → Apps → Advanced settings", "2. Create app", "3. Authentication", "4. Create the app", USER_DEFINED, "   ChatGPT then shows a Callback URL"]
            .map((step) => mcpLines.findIndex((l) => l.startsWith(step)));
        expect(steps.every((p) => p >= 0), mcpText).to.be.true;
        expect([...steps].sort((a, b) => a - b)).to.deep.equal(steps);
        expect(mcpText).to.include("Developer mode").and.include("Settings → Apps → Create app.");
        const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
        const connect = readme.slice(readme.indexOf("### As an app, through MCP"), readme.indexOf("### As a GPT Action"));
        const readmeLabels = ["**Developer mode**", "**Settings → Apps → Create app**", "**Name**", "**Description**", "**MCP Server URL**",
            "**Authentication: OAuth**", CHATGPT_CLIENT_METADATA_URL, "**The alternative, for clients without CIMD**", "**Advanced settings**",
            "**user-defined OAuth client**", "**OAuth Client ID**", "**OAuth Client Secret**", "**Callback URL**", "pulumi config set mcpCallbackUrl"]
            .map((label) => connect.indexOf(label));
        expect(readmeLabels.every((p) => p >= 0), connect).to.be.true;
        expect([...readmeLabels].sort((a, b) => a - b)).to.deep.equal(readmeLabels);
    });

    it("names the Client ID Metadata Document the stack allows by default, and says when the outputs show CIMD is off", async function () {
        this.timeout(60_000);
        expect(CHATGPT_CLIENT_METADATA_URL).to.equal("https://chatgpt.com/oauth/client.json");
        // The outputs say so only through nextStep, which asks for mcpCallbackUrl only when no document is allowed.
        const byDefault = await runProgram();
        const noCimd = await runProgram({ mcpClientMetadataUrls: "[]" });
        const nextSteps = [byDefault, noCimd].map((run) => run.program.nextStep);
        const [defaultForm, offForm] = nextSteps.map((nextStep) => {
            const form = formatSettings({ ...outputs, nextStep });
            return form.slice(form.indexOf(MCP_FORM));
        });
        expect(nextSteps.map((nextStep) => cimdKnownOff({ ...outputs, nextStep }))).to.deep.equal([false, true]);
        const step3 = (form: string) => form.slice(form.indexOf("3. Authentication"), form.indexOf("4. Create the app"));
        expect(step3(defaultForm)).to.include("Nothing else").and.include(CHATGPT_CLIENT_METADATA_URL);
        expect(step3(offForm)).to.include("mcpClientMetadataUrls is []").and.include("user-defined OAuth client below").and.not.include("Nothing else");
        // Either way the user-defined client follows, with the mcpCallbackUrl command.
        for (const form of [defaultForm, offForm]) {
            expect(form.indexOf(USER_DEFINED)).to.be.greaterThan(form.indexOf("4. Create the app"));
            expect(form).to.include("pulumi config set mcpCallbackUrl <the callback URL> && pulumi up");
        }
    });

    it("fills the Create app form's fields in ChatGPT's order with the stack's values", () => {
        const expected: Array<[string, string | undefined]> = [
            ["Name", info.title],
            ["Description", info.description],
            ["MCP Server URL", outputs.mcpServerUrl],
            ["Authentication", "OAuth"],
            ["Registration method", "user-defined OAuth client"],
            ["OAuth Client ID", outputs.mcpClientId],
            ["OAuth Client Secret", outputs.mcpClientSecret],
        ];
        expect(expected.every(([, value]) => typeof value === "string" && value !== ""), "the fixture has every MCP output").to.be.true;
        const found = expected.map(([label]) => field(mcpLines, label));
        expect(found.map(({ value }) => value)).to.deep.equal(expected.map(([, value]) => value));
        const positions = found.map(({ index }) => index);
        expect([...positions].sort((a, b) => a - b)).to.deep.equal(positions);
        // Name, Description and the URL under "2. Create app", OAuth under "3. Authentication", the client in the alternative.
        const authentication = mcpLines.findIndex((l) => l.startsWith("3. Authentication"));
        const alternative = mcpLines.findIndex((l) => l.startsWith(USER_DEFINED));
        expect(positions[2]).to.be.lessThan(authentication);
        expect(positions[3]).to.be.greaterThan(authentication).and.lessThan(alternative);
        expect(positions[4]).to.be.greaterThan(alternative);
    });

    it("ends the Create app form with the mcpCallbackUrl step, no ChatGPT callback being registered in the fixture", () => {
        expect(outputs.mcpCallbackUrls?.some((url) => url.startsWith("https://chatgpt.com/"))).to.equal(false);
        expect(mcpText).to.match(/For clients without CIMD[\s\S]*ChatGPT then shows a Callback URL[\s\S]*No ChatGPT callback URL is registered yet[\s\S]*\n   pulumi config set mcpCallbackUrl <the callback URL> && pulumi up\n {3}or in Pulumi.<stack>.yaml, under config:\n.*\n$/);
        expect(yamlOf(mcpText.slice(mcpText.indexOf("pulumi config set mcpCallbackUrl")))).to.deep.equal({ "gpt-action:mcpCallbackUrl": "<the callback URL>" });
        expect(mcpText).to.not.include("pulumi config set callbackUrl");
    });

    it("lists the ChatGPT connector callback URLs already registered for the MCP client, and only those", () => {
        const connector = "https://chatgpt.com/connector/oauth/Zx81kQw2example";
        const legacy = "https://chat.openai.com/connector/oauth/Zx81kQw2example";
        const claude = "https://claude.ai/api/mcp/auth_callback";
        const registered = formatSettings({ ...outputs, mcpCallbackUrls: [connector, claude, legacy] });
        const app = registered.slice(registered.indexOf(MCP_FORM));
        expect(app).to.include(`   Registered now: ${connector}, ${legacy}. If ChatGPT shows another one, run:\n   pulumi config set mcpCallbackUrl <the callback URL> && pulumi up\n`);
        expect(app).to.not.include(claude);
        // The GPT Action's step still reads its own client's callback URLs.
        expect(registered.slice(0, registered.indexOf(`\n${MCP_FORM}`))).to.equal(gptText);
    });

    it("says to leave the OAuth Client Secret empty for a public MCP client (no mcpClientSecret output)", () => {
        const publicClient = formatSettings(fixtureWithout("mcpClientSecret"));
        const publicLines = publicClient.split("\n");
        const secret = field(publicLines, "OAuth Client Secret", publicLines.findIndex((l) => l.startsWith(MCP_FORM)));
        expect(secret.index, publicClient).to.be.greaterThan(0);
        expect(secret.value).to.match(/^\(leave it empty: .*public.*\)$/);
        expect(publicClient).to.not.include(String(outputs.mcpClientSecret));
        expect(field(publicLines, "OAuth Client ID").value).to.equal(outputs.mcpClientId);
    });

    it("prints only the GPT Action's form for a stack with mcp: false (no MCP outputs)", () => {
        const gptOnly = formatSettings(fixtureWithout(...MCP_KEYS));
        expect(gptOnly).to.equal(gptText);
        expect(gptOnly).to.not.include("MCP").and.not.include("mcpCallbackUrl").and.not.include("Create app");
    });

    it("refuses MCP outputs that do not come together, or a hidden mcpClientSecret", () => {
        expect(() => fixtureWithout("mcpClientId")).to.throw(/MCP values/);
        expect(() => fixtureWithout("mcpCallbackUrls")).to.throw(/MCP values/);
        expect(() => parseOutputs({ ...outputs, mcpClientSecret: "[secret]" })).to.throw(/mcpClientSecret is hidden[\s\S]*--show-secrets/);
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

    it("makes Pulumi.yaml a pulumi new template that asks for the region and the GPT Action's callback URL", () => {
        // Not for an MCP callback URL: ChatGPT's app signs in with its client metadata document and needs none.
        const prompts = projectFile().template?.config ?? {};
        expect(Object.keys(prompts)).to.have.members(["aws:region", "callbackUrl"]);
        expect(prompts.callbackUrl.default).to.equal("");
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
