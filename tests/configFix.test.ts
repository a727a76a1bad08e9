/** Every fix message in both forms: the pulumi config command, and the YAML a user without the CLI writes instead. */
import { expect } from "chai";
import { withYamlForm } from "../infra/configFix";
import { readSettings } from "../infra/settingTable";
import { SETTINGS } from "../infra/settings";
import { yamlOf } from "./yamlForm";

describe("fix messages in both forms", () => {
    it("shows a plain setting as the stack file's line, with the project's prefix (a provider's key keeps its own)", () => {
        expect(yamlOf(withYamlForm("pulumi config set callbackUrl https://chatgpt.com/aip/g-1/oauth/callback")))
            .to.deep.equal({ "gpt-action:callbackUrl": "https://chatgpt.com/aip/g-1/oauth/callback" });
        expect(yamlOf(withYamlForm("pulumi config set aws:region eu-west-1"))).to.deep.equal({ "aws:region": "eu-west-1" });
        // Numbers and booleans quoted, as pulumi config set writes them: config values are strings.
        expect(yamlOf(withYamlForm("pulumi config set lambdaReservedConcurrency 10"))).to.deep.equal({ "gpt-action:lambdaReservedConcurrency": "10" });
        expect(yamlOf(withYamlForm("pulumi config set localUsers true"))).to.deep.equal({ "gpt-action:localUsers": "true" });
    });

    it("shows a --path setting nested, and a list entry in YAML's list form", () => {
        expect(yamlOf(withYamlForm("pulumi config set --path customDomain.zone example.com (and optionally …)")))
            .to.deep.equal({ "gpt-action:customDomain": { zone: "example.com" } });
        expect(yamlOf(withYamlForm("pulumi config set --path 'mcpCallbackUrls[0]' <https URL>")))
            .to.deep.equal({ "gpt-action:mcpCallbackUrls": ["<https URL>"] });
        expect(yamlOf(withYamlForm("pulumi config set --path 'identityProviders[0].name' Okta")))
            .to.deep.equal({ "gpt-action:identityProviders": [{ name: "Okta" }] });
    });

    it("shows a removal as the line to delete, and says a secret has no hand-written form", () => {
        expect(withYamlForm("pulumi config rm domainPrefix to derive one")).to.include("or delete gpt-action:domainPrefix ");
        expect(withYamlForm("pulumi config set --secret --path 'identityProviders[0].clientSecret' …")).to.include("only pulumi config set --secret writes it");
    });

    it("gives every setting's own fix both forms, and a typo's too", () => {
        const bad: Record<string, string> = {
            scopes: "email", callbackUrl: "http://x", callbackUrls: "[\"http://x\"]", domainPrefix: "aws-x", corsAllowOrigin: "x",
            lambdaReservedConcurrency: "-1", testUserEmail: "x", customDomain: "{}", identityProviders: "[{}]", vpc: "{}",
            mcpCallbackUrl: "http://x", mcpCallbackUrls: "[\"http://x\"]", deletionProtecton: "on",
        };
        const { problems } = readSettings(SETTINGS, bad);
        expect(problems.length).to.be.greaterThan(10);
        for (const message of problems.filter((p) => p.includes("pulumi config set") && !p.includes("--secret"))) {
            expect(message, message).to.include("or in Pulumi.<stack>.yaml, under config:");
            expect(yamlOf(message), message).to.be.an("object");
        }
    });
});
