/**
 * What scripts and local mode write into the checkout is git-ignored, so that `git status` stays clean after
 * `npm run local` / `npm run smoke` and no secret is committed by accident.
 */
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..");

/** Whether git would ignore `file` (a path relative to the checkout), whether or not it exists. */
function ignored(file: string): boolean {
    try {
        execFileSync("git", ["check-ignore", "--no-index", "-q", file], { cwd: ROOT, stdio: "ignore" });
        return true;
    } catch {
        return false;
    }
}

describe("files written by scripts and local mode are git-ignored", () => {
    const written: Record<string, string> = {
        "outputs.json": "stack outputs with both client secrets and the test password (README: --outputs-file outputs.json)",
        "outputs.json.1234.tmp": "local mode's temporary file while it writes outputs.json",
        "staging.outputs.json": "another stack's saved outputs",
        ".local/main.js": "npm run local's bundle",
        ".local/main.js.map": "its source map",
        "node_modules": "dependencies, also as a symlink",
    };
    for (const [file, what] of Object.entries(written)) {
        it(`ignores ${file}: ${what}`, () => {
            expect(ignored(file), file).to.be.true;
        });
    }

    it("still tracks the files a user edits or the tests read", () => {
        for (const file of ["Pulumi.dev.yaml", "tests/fixtures/stack-outputs.json", "package.json"]) {
            expect(ignored(file), file).to.be.false;
        }
    });
});
