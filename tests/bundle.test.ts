/** The bundles a process has built are reused only while every file they were built from is unchanged. */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { bundleHandler } from "../infra/bundle";

describe("bundleHandler's reuse of earlier builds", () => {
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "gpt-action-bundle-cache-"));
    });
    afterEach(() => {
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("rebuilds when an imported file changes, and when one is deleted", () => {
        const entry = path.join(dir, "index.ts");
        const imported = path.join(dir, "answer.ts");
        fs.writeFileSync(entry, `import { answer } from "./answer";\nexport const handler = () => answer;\n`);
        fs.writeFileSync(imported, "export const answer = 41;\n");
        const first = bundleHandler(entry);
        expect(bundleHandler(entry)).to.deep.equal(first);
        // Same size, so only the content tells the two apart.
        fs.writeFileSync(imported, "export const answer = 42;\n");
        const second = bundleHandler(entry);
        expect(second.code).to.include("42").and.not.include("41");
        fs.rmSync(imported);
        expect(() => bundleHandler(entry)).to.throw();
    });
});
