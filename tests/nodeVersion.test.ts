/**
 * The engines check at the first command: `npm ci` runs package.json's preinstall, which stops an older Node with a
 * message naming the version needed (npm itself only warns about `engines` and carries on).
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8")) as { engines: { node: string }; scripts: Record<string, string> };

/** Runs the preinstall check's code in a Node that reports `version` as its own. */
function preinstallAs(version: string): { status: number | null; stderr: string } {
    const code = /^node -e "(.*)"$/.exec(pkg.scripts.preinstall)?.[1];
    expect(code, "preinstall is node -e \"…\"").to.be.a("string");
    const fake = `Object.defineProperty(process, "versions", { value: { ...process.versions, node: "${version.slice(1)}" } });`
        + `Object.defineProperty(process, "version", { value: "${version}" });`;
    // The shell would turn nothing in double quotes into a newline; JSON-style escapes stay for JavaScript to read.
    const { status, stderr } = spawnSync(process.execPath, ["-e", fake + (code ?? "")], { encoding: "utf8" });
    return { status, stderr };
}

describe("npm ci on an older Node", () => {
    it("stops with a message naming Node.js 22 and how to get it", () => {
        const { status, stderr } = preinstallAs("v20.20.2");
        expect(status).to.equal(1);
        expect(stderr).to.include("gpt-action needs Node.js 22 or later").and.include("this is v20.20.2").and.include("nvm install 22");
    });

    it("lets Node 22 and later through, silently", () => {
        for (const version of ["v22.0.0", "v24.3.1", process.version]) {
            expect(preinstallAs(version), version).to.deep.equal({ status: 0, stderr: "" });
        }
    });

    it("checks the same major version package.json's engines names", () => {
        expect(pkg.engines.node).to.equal(">=22");
        expect(pkg.scripts.preinstall).to.include("major<22");
    });
});
