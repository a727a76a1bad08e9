import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { MAX_MCP_CALLBACK_BYTES, parseConfig } from "../infra/config";
import { readSettings, setting, valuesIn, type Values } from "../infra/settingTable";
import { SETTINGS } from "../infra/settings";
import { pulumiConfigBlock, SETTINGS_PAGE, settingsTable, withPulumiConfig, withSettingsTable } from "../infra/settingsDocs";
import { flag, optional, whole } from "../infra/settingTypes";

const ROOT = path.join(__dirname, "..");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

describe("the settings table", () => {
    it("generated Pulumi.yaml's config: block (npm run settings-docs when this fails)", () => {
        expect(read("Pulumi.yaml")).to.equal(withPulumiConfig(read("Pulumi.yaml"), SETTINGS));
    });

    it("generated docs/configuration.md's settings table (npm run settings-docs when this fails)", () => {
        expect(read(SETTINGS_PAGE)).to.equal(withSettingsTable(read(SETTINGS_PAGE), SETTINGS));
    });

    it("accepts every default, and names a fix for every setting whose default is not one", () => {
        expect(readSettings(SETTINGS, {}).problems).to.be.empty;
        for (const [key, entry] of Object.entries(SETTINGS)) {
            expect(entry.default !== "" || "fix" in entry, key).to.be.true;
        }
    });

    it("names the nearest known key for a typo, without echoing the value (it may be a secret)", () => {
        const problems = readSettings(SETTINGS, { deletionProtecton: "s3cret", MCPCALLBACKURLS: "[]", region: "us-east-1" }).problems;
        expect(problems[0]).to.equal([
            "deletionProtecton is not a gpt-action setting; did you mean deletionProtection? Fix: pulumi config rm deletionProtecton, then pulumi config set deletionProtection <value>",
            "    or delete gpt-action:deletionProtecton (and what is indented under it) from Pulumi.<stack>.yaml",
            "    or in Pulumi.<stack>.yaml, under config:",
            "        gpt-action:deletionProtection: <value>",
        ].join("\n"));
        expect(problems[1]).to.match(/did you mean mcpCallbackUrls\? .*--path 'mcpCallbackUrls\[0\]'/);
        expect(problems[2]).to.match(/^region is not a gpt-action setting \(known: callbackUrl, .*\)\. Fix: pulumi config rm region\n    or delete gpt-action:region /);
        expect(problems.join()).not.to.include("s3cret");
    });

    it("reports a bad list entry at its position, with the value and the command for that entry", () => {
        expect(() => parseConfig({ mcpCallbackUrls: JSON.stringify(["https://ok.example/cb", "ftp://x.example/cb"]) }, "gpt-action", "dev"))
            .to.throw(/mcpCallbackUrls\[1\] = "ftp:\/\/x.example\/cb" must use https:\/\/.*Fix: pulumi config set --path 'mcpCallbackUrls\[1\]' <https URL>/);
    });

    it("refuses an MCP callback URL the OAuth facade could not redirect to, and more of them than its environment holds", () => {
        expect(() => parseConfig({ mcpCallbackUrl: "https://client.example/cb?state=fixed" }, "gpt-action", "dev"))
            .to.throw(/mcpCallbackUrl = "https:\/\/client.example\/cb\?state=fixed" is not a redirect URI the OAuth facade takes/);
        const many = Array.from({ length: 40 }, (_, i) => `https://client-${i}.example.com/oauth/callback/0123456789`);
        expect(() => parseConfig({ mcpCallbackUrls: JSON.stringify(many) }, "gpt-action", "dev"))
            .to.throw(new RegExp(`mcpCallbackUrls = "40 URLs, \\d+ bytes" exceed the OAuth facade's room for them \\(${MAX_MCP_CALLBACK_BYTES} bytes`));
        expect(parseConfig({ mcpCallbackUrls: JSON.stringify(many.slice(0, 20)) }, "gpt-action", "dev").mcp?.callbackUrls).to.have.lengthOf(20);
    });

    // docs/configuration.md's promise to contributors: one entry, and the setting is read, validated, grouped and documented.
    describe("with one more setting in a copy of the table", () => {
        const table = {
            ...SETTINGS,
            oauthFacade: setting({ type: flag, default: "false", in: ["api"], description: "Serves an OAuth facade in front of Cognito." }),
            facadeCodeTtl: setting({
                type: optional(whole(30, 600, "of seconds")), default: "", in: ["auth"],
                description: "Lifetime of the facade's authorization codes.", fix: "pulumi config set facadeCodeTtl 60",
            }),
        };

        it("reads and types it, and hands it to its group's component", () => {
            const { values, problems } = readSettings(table, { oauthFacade: "true", facadeCodeTtl: "120" });
            expect(problems).to.be.empty;
            const api = valuesIn(table, values as Values<typeof table>, "api");
            const on: boolean = api.oauthFacade;
            expect(on).to.be.true;
            expect(api.stageName).to.equal("Prod");
            expect(valuesIn(table, values as Values<typeof table>, "auth").facadeCodeTtl).to.equal(120);
            expect(valuesIn(table, values as Values<typeof table>, "auth")).not.to.have.property("oauthFacade");
        });

        it("validates it like the others, and suggests it for a typo", () => {
            const firstLines = readSettings(table, { oauthFacade: "yes", facadeCodeTtl: "5", oauthFacde: "true" }).problems.map((p) => p.split("\n")[0]);
            expect(firstLines).to.deep.equal([
                "oauthFacde is not a gpt-action setting; did you mean oauthFacade? Fix: pulumi config rm oauthFacde, then pulumi config set oauthFacade <value>",
                "oauthFacade = \"yes\" must be true or false. Fix: pulumi config set oauthFacade false",
                "facadeCodeTtl = \"5\" must be a whole number of seconds from 30 to 600. Fix: pulumi config set facadeCodeTtl 60",
            ]);
        });

        it("declares it in Pulumi.yaml and lists it in docs/configuration.md", () => {
            expect(pulumiConfigBlock(table)).to.include("  oauthFacade:\n    type: boolean\n    description: Serves an OAuth facade in front of Cognito.\n    default: false\n");
            expect(pulumiConfigBlock(table)).to.include("  facadeCodeTtl:\n    type: string\n");
            expect(settingsTable(table)).to.include("| `oauthFacade` | `false` | Serves an OAuth facade in front of Cognito. |");
        });
    });
});
