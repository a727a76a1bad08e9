import { expect } from "chai";
import { ConfigError, parseConfig } from "../infra/config";
import { runProgram, type Run } from "./harness";
import { yamlOf } from "./yamlForm";

const OKTA = { type: "oidc", name: "Okta", issuer: "https://acme.okta.com", clientId: "0oa1b2c3", clientSecret: "okta-secret-value" };
const ENTRA = { type: "saml", name: "EntraID", metadataUrl: "https://login.microsoftonline.com/tenant-id/federationmetadata/2007-06/federationmetadata.xml?appid=app-id" };
const IDP = "aws:cognito/identityProvider:IdentityProvider";
const CLIENT = "aws:cognito/userPoolClient:UserPoolClient";

describe("your existing identity provider", () => {
    let run: Run;
    before(async () => {
        run = await runProgram({ identityProviders: JSON.stringify([OKTA, ENTRA]) });
    });

    it("creates an OIDC provider whose client secret stays a Pulumi secret", () => {
        const okta = run.one(IDP, "idp-Okta");
        expect(okta.inputs).to.deep.include({
            userPoolId: "us-east-1_MockPool",
            providerName: "Okta",
            providerType: "OIDC",
            attributeMapping: { email: "email" },
        });
        expect(okta.inputs.providerDetails).to.deep.equal({
            client_id: "0oa1b2c3",
            client_secret: "okta-secret-value",
            oidc_issuer: "https://acme.okta.com",
            authorize_scopes: "openid email profile",
            attributes_request_method: "GET",
        });
        expect(okta.secretInputs).to.include("providerDetails");
        expect(run.isDeletedBeforeReplace(okta)).to.be.true;
    });

    it("creates a SAML provider from its metadata URL", () => {
        expect(run.one(IDP, "idp-EntraID").inputs).to.deep.include({
            providerName: "EntraID",
            providerType: "SAML",
            providerDetails: { MetadataURL: ENTRA.metadataUrl },
            attributeMapping: { email: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress" },
        });
    });

    it("ignores exactly the SAML details Cognito fills in from the metadata, never MetadataURL or an OIDC key", () => {
        // Review 2026-11-30 P2: Describe returns these beside MetadataURL, a diff on every preview otherwise.
        expect(run.ignoredChangesOf(run.one(IDP, "idp-EntraID"))).to.have.members([
            "providerDetails[\"ActiveEncryptionCertificate\"]",
            "providerDetails[\"SLORedirectBindingURI\"]",
            "providerDetails[\"SSORedirectBindingURI\"]",
        ]);
        expect(run.ignoredChangesOf(run.one(IDP, "idp-Okta"))).to.be.empty;
    });

    it("offers the providers beside the pool's own users on the hosted UI", () => {
        expect(run.one(CLIENT, "gpt-action-client").inputs.supportedIdentityProviders).to.deep.equal(["COGNITO", "Okta", "EntraID"]);
        expect(run.dependenciesOf(run.one(CLIENT, "gpt-action-client")).filter((urn) => urn.includes("identityProvider"))).to.have.lengthOf(2);
    });

    it("hides the username/password option with localUsers=false", async () => {
        const federatedOnly = await runProgram({ identityProviders: JSON.stringify([OKTA]), localUsers: "false" });
        expect(federatedOnly.one(CLIENT, "gpt-action-client").inputs.supportedIdentityProviders).to.deep.equal(["Okta"]);
    });

    it("passes custom scopes and attribute mappings through", async () => {
        const custom = await runProgram({ identityProviders: JSON.stringify([{ ...OKTA, name: "Google", issuer: "https://accounts.google.com", scopes: ["openid", "email"], attributeMapping: { email: "email", name: "name" } }]) });
        const google = custom.one(IDP).inputs;
        expect((google.providerDetails as Record<string, string>).authorize_scopes).to.equal("openid email");
        expect(google.attributeMapping).to.deep.equal({ email: "email", name: "name" });
    });

    it("takes names ProviderName's pattern allows: 3 and 32 characters, \"_\" second, dots and hyphens", () => {
        const names = ["Okt", "o".repeat(32), "a_b", "Entra-ID.corp"];
        const config = parseConfig({ identityProviders: JSON.stringify(names.map((name) => ({ ...OKTA, name }))) }, "gpt-action", "dev");
        expect((config.identityProviders ?? []).map((p) => p.name)).to.deep.equal(names);
    });

    const bad: Array<[string, unknown, RegExp]> = [
        ["a list that is not a list", { name: "x" }, /must be a list/],
        ["an unknown type", [{ ...OKTA, type: "ldap" }], /\[0\]\.type must be "oidc" or "saml"/],
        ["an http issuer", [{ ...OKTA, issuer: "http://acme.okta.com" }], /\[0\]\.issuer must be the provider's https issuer URL/],
        ["a missing client secret", [{ ...OKTA, clientSecret: "" }], /needs clientId and clientSecret .*--secret --path/],
        ["scopes without openid", [{ ...OKTA, scopes: ["email"] }], /scopes .*includes openid/],
        ["a name Cognito refuses", [{ ...OKTA, name: "COGNITO" }], /name "COGNITO" must be 3-32/],
        // API_CreateIdentityProvider ProviderName: [^_\p{Z}][\p{L}\p{M}\p{S}\p{N}\p{P}][^_\p{Z}]+ (review 2026-11-30, D4).
        ["a two-character name, below ProviderName's pattern's 3", [{ ...OKTA, name: "Ok" }], /\[0\]\.name "Ok" must be 3-32 .*ProviderName/],
        ["a name with a leading underscore", [{ ...OKTA, name: "_corp" }], /\[0\]\.name "_corp" must be .*ProviderName/],
        ["a name with an underscore after its second character", [{ ...OKTA, name: "my_corp" }], /\[0\]\.name "my_corp" must be/],
        ["a name over 32 characters", [{ ...OKTA, name: "o".repeat(33) }], /\[0\]\.name "o{33}" must be 3-32/],
        ["the same name twice", [OKTA, { ...ENTRA, name: "Okta" }], /\[1\]\.name Okta is used twice/],
        ["a SAML provider without https metadata", [{ ...ENTRA, metadataUrl: "ftp://x" }], /metadataUrl/],
        ["an unknown field", [{ ...ENTRA, entityId: "x" }], /unknown fields entityId/],
    ];
    for (const [what, value, message] of bad) {
        it(`rejects ${what}, without echoing secrets`, () => {
            try {
                parseConfig({ identityProviders: JSON.stringify(value) }, "gpt-action", "dev");
                expect.fail("accepted");
            } catch (error) {
                expect(error).to.be.instanceOf(ConfigError);
                expect((error as ConfigError).problems.join("\n")).to.match(message).and.not.include("okta-secret-value");
            }
        });
    }

    it("rejects localUsers=false without any provider", () => {
        let problems: string[] = [];
        try {
            parseConfig({ localUsers: "false" }, "gpt-action", "dev");
        } catch (error) {
            expect(error).to.be.instanceOf(ConfigError);
            problems = (error as ConfigError).problems;
        }
        expect(problems).to.have.lengthOf(1);
        expect(problems[0]).to.match(/no way to sign in.*Fix: pulumi config set localUsers true/);
        expect(yamlOf(problems[0])).to.deep.equal({ "gpt-action:localUsers": "true" });
    });
});
