/**
 * The engines check at the first command: `npm ci` runs package.json's preinstall, which stops an older Node with a
 * message naming the version needed (npm itself only warns about `engines` and carries on).
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { handler as facadeHandler } from "../handler/facade";
import { handler as apiHandler } from "../handler/index";
import { NODE_TARGET } from "../infra/bundle";
import { runProgram } from "./harness";

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
    it("stops with a message naming Node.js 24 and how to get it", () => {
        const { status, stderr } = preinstallAs("v22.20.0");
        expect(status).to.equal(1);
        expect(stderr).to.include("gpt-action needs Node.js 24 or later").and.include("this is v22.20.0").and.include("nvm install 24");
    });

    it("lets Node 24 and later through, silently", () => {
        for (const version of ["v24.0.0", "v25.1.0", process.version]) {
            expect(preinstallAs(version), version).to.deep.equal({ status: 0, stderr: "" });
        }
    });

    it("checks the same major version package.json's engines names", () => {
        expect(pkg.engines.node).to.equal(">=24");
        expect(pkg.scripts.preinstall).to.include("major<24");
    });
});

describe("one Node.js major everywhere: Lambda, the bundle, engines and CI", () => {
    const major = /^>=(\d+)$/.exec(pkg.engines.node)?.[1];

    it("runs both functions on the Lambda runtime of engines' major, bundled for it", async () => {
        const run = await runProgram();
        const functions = run.all("aws:lambda/function:Function");
        expect(functions.map((f) => f.name)).to.have.members(["gpt-action-handler", "gpt-action-oauth"]);
        for (const fn of functions) {
            expect(fn.inputs.runtime, fn.name).to.equal(`nodejs${major}.x`);
        }
        expect(NODE_TARGET).to.equal(`node${major}`);
    });

    it("exports promise-based handlers only, the one kind nodejs24.x runs", () => {
        // Node.js 24 on Lambda drops callback handlers, (event, context, callback), and context.done/succeed/fail
        // ("Node.js 24 runtime now available in AWS Lambda", AWS Compute Blog): each handler takes at most
        // (event, context) and answers with a promise.
        // Their types already say Promise (Handler, FacadeHandler); a third parameter would be read as a callback.
        for (const [name, fn] of [["handler", apiHandler], ["facade", facadeHandler]] as const) {
            expect(fn.length, name).to.be.at.most(2);
        }
        const sources = ["handler/index.ts", "handler/facade/index.ts"].map((file) => fs.readFileSync(path.join(__dirname, "..", file), "utf8"));
        for (const source of sources) {
            expect(source).to.not.match(/callbackWaitsForEmptyEventLoop|context\.(done|succeed|fail)\(/);
        }
    });

    it("has CI install and require that major, cached under a folder named for it", () => {
        const ci = fs.readFileSync(path.join(__dirname, "..", ".ci", "run"), "utf8");
        expect(ci).to.include(`if [ "$major" -lt ${major} ]`)
            .and.include(`gpt-action-node${major}"`)
            .and.include(`"node-linux-$arch@${major}"`)
            .and.include(`-ge ${major} ] || fail "the tests must run on Node ${major} or later"`);
        // No other major left behind in the script.
        expect(ci.match(/node(?:-linux-\$arch@|)(\d+)|Node (\d+)|-(?:lt|ge) (\d+)/g)?.filter((m) => !m.endsWith(String(major)))).to.deep.equal([]);
    });
});
