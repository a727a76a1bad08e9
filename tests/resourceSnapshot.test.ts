/**
 * What the program declares under mocks for three stacks (defaults, everything on, everything off), compared with a
 * recorded snapshot: a refactor of how settings reach the components must not change one resource input.
 * The route table's own part of the API's document is left out (tests/restApiDocument.test.ts and
 * tests/addRoute.test.ts derive it from the table), so adding, changing or removing a route leaves the snapshot as it is.
 * Re-record on purpose, after reviewing the diff: UPDATE_SNAPSHOT=1 npx mocha tests/resourceSnapshot.test.ts
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { EVERYTHING_OFF, EVERYTHING_ON, resourceKey, runProgram } from "./harness";
import { captured, type Captured } from "./snapshotCapture";

const SNAPSHOT = path.join(__dirname, "fixtures", "resources.snapshot.json");
const RERECORD = "UPDATE_SNAPSHOT=1 npx mocha tests/resourceSnapshot.test.ts";

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

/** Compares resource by resource, so that a failure names the resource and input that changed. */
function expectSame(stack: string, actual: readonly Captured[], recorded: readonly Captured[] | undefined): void {
    const advice = `if the change is intended, re-record: ${RERECORD}`;
    expect(recorded, `no snapshot for ${stack}; record one: ${RERECORD}`).to.not.equal(undefined);
    expect(actual.map(resourceKey), `${stack}: the resources declared changed; ${advice}`).to.deep.equal((recorded ?? []).map(resourceKey));
    for (const [i, resource] of actual.entries()) {
        const before = (recorded ?? [])[i].inputs;
        for (const input of new Set([...Object.keys(resource.inputs), ...Object.keys(before)])) {
            expect(resource.inputs[input], `${stack}: ${resourceKey(resource)}.${input} changed; ${advice}`).to.deep.equal(before[input]);
        }
    }
}

describe("resources declared for the default, everything-on and everything-off stacks", () => {
    const snapshot = fs.existsSync(SNAPSHOT) ? JSON.parse(fs.readFileSync(SNAPSHOT, "utf8")) as Record<string, Captured[]> : {};
    const recorded: Record<string, Captured[]> = {};
    after(() => {
        if (process.env.UPDATE_SNAPSHOT === "1") {
            fs.writeFileSync(SNAPSHOT, `${JSON.stringify(recorded, null, 1)}\n`);
        }
    });

    for (const [stack, overrides] of Object.entries(STACKS)) {
        it(`${stack}: the same types, names and inputs as the snapshot`, async () => {
            recorded[stack] = captured((await runProgram(overrides)).resources);
            if (process.env.UPDATE_SNAPSHOT !== "1") {
                expectSame(stack, recorded[stack], snapshot[stack]);
            }
        });
    }
});
