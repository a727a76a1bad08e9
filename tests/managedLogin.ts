/** The managed-login assertions shared by the prefix-domain and custom-domain stacks. */
import { expect } from "chai";
import { MANAGED_LOGIN_VERSION } from "../infra/auth";
import type { Run } from "./harness";

/**
 * Managed login (version 2) on the domain, and a Cognito-default style for every app client of the run, naming that
 * client's id (the mock gives each client its own) and made after the domain: a client without one has no login page.
 */
export function expectManagedLogin(run: Run): void {
    expect(MANAGED_LOGIN_VERSION).to.equal(2);
    const domain = run.one("aws:cognito/userPoolDomain:UserPoolDomain");
    expect(domain.inputs.managedLoginVersion).to.equal(MANAGED_LOGIN_VERSION);
    // Managed login needs a feature plan other than Lite.
    expect(run.one("aws:cognito/userPool:UserPool").inputs.userPoolTier).to.be.oneOf(["ESSENTIALS", "PLUS"]);
    const clients = run.all("aws:cognito/userPoolClient:UserPoolClient");
    const brandings = run.all("aws:cognito/managedLoginBranding:ManagedLoginBranding");
    expect(brandings.map((b) => b.name)).to.have.members(clients.map((c) => `${c.name}-branding`));
    for (const client of clients) {
        const branding = run.one("aws:cognito/managedLoginBranding:ManagedLoginBranding", `${client.name}-branding`);
        const clientId = client.name.includes("-cimd-") ? "mockcimdclientid" : client.name.includes("-mcp-") ? "mockmcpclientid" : "mockclientid";
        expect(branding.inputs, branding.name).to.deep.equal({ userPoolId: "us-east-1_MockPool", clientId, useCognitoProvidedValues: true });
        const dependencies = run.dependenciesOf(branding);
        expect(dependencies.some((urn) => urn.endsWith(`::${client.name}`)), branding.name).to.be.true;
        expect(dependencies.some((urn) => urn.endsWith(`::${domain.name}`)), branding.name).to.be.true;
    }
}
