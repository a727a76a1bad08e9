/**
 * What the program declares under mocks for three stacks (defaults, everything on, everything off), compared with a
 * recorded snapshot: a refactor of how settings reach the components must not change one resource input.
 * Re-record on purpose, after reviewing the diff: UPDATE_SNAPSHOT=1 npx mocha tests/resourceSnapshot.test.ts
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { EVERYTHING_OFF, EVERYTHING_ON, runProgram, type RecordedResource } from "./harness";

const SNAPSHOT = path.join(__dirname, "fixtures", "resources.snapshot.json");

/** Every optional setting set too, so that each one's path to its component is covered. */
const ALL_ON: Record<string, string> = {
    ...EVERYTHING_ON,
    callbackUrl: "https://chatgpt.com/aip/g-0123456789abcdef/oauth/callback",
    callbackUrls: JSON.stringify(["https://example.org/cb"]),
    domainPrefix: "my-gpt-login",
    scopes: "openid,email",
    stageName: "v1",
    corsAllowOrigin: "https://chatgpt.com",
    lambdaTimeout: "20",
    lambdaMemory: "512",
    testUserEmail: "john.doe@example.com",
    customDomain: JSON.stringify({ zone: "example.com", hostedZoneId: "Z123ABC" }),
    identityProviders: JSON.stringify([{ type: "oidc", name: "Okta", issuer: "https://acme.okta.com", clientId: "0oa1", clientSecret: "s3cret" }]),
    localUsers: "false",
    vpc: JSON.stringify({ create: true, natGateways: "OnePerAz" }),
    mcpCallbackUrl: "https://chatgpt.com/connector_platform_oauth_redirect",
    mcpCallbackUrls: JSON.stringify(["http://localhost:6274/oauth/callback"]),
    mcpPublicClient: "true",
};
const STACKS: Record<string, Record<string, string>> = {
    default: {},
    everythingOn: ALL_ON,
    everythingOff: { ...EVERYTHING_OFF, corsAllowOrigin: "" },
};

/** The resources as JSON, sorted by type and name: the order promises settle in is not behaviour. */
const captured = (resources: RecordedResource[]): unknown => JSON.parse(JSON.stringify(resources
    .map(({ type, name, inputs }) => ({ type, name, inputs }))
    .sort((a, b) => `${a.type} ${a.name}`.localeCompare(`${b.type} ${b.name}`))));

describe("resources declared for the default, everything-on and everything-off stacks", () => {
    const snapshot = fs.existsSync(SNAPSHOT) ? JSON.parse(fs.readFileSync(SNAPSHOT, "utf8")) as Record<string, unknown> : {};
    const recorded: Record<string, unknown> = {};
    after(() => {
        if (process.env.UPDATE_SNAPSHOT === "1") {
            fs.writeFileSync(SNAPSHOT, `${JSON.stringify(recorded, null, 1)}\n`);
        }
    });

    for (const [stack, overrides] of Object.entries(STACKS)) {
        it(`${stack}: the same types, names and inputs as the snapshot`, async () => {
            recorded[stack] = captured((await runProgram(overrides)).resources);
            if (process.env.UPDATE_SNAPSHOT !== "1") {
                expect(recorded[stack]).to.deep.equal(snapshot[stack]);
            }
        });
    }
});
