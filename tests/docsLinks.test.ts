/**
 * Every relative link in README.md and docs/*.md leads somewhere: the file exists and, with a #fragment, the page
 * has a heading with that anchor (GitHub's rule: lower case, punctuation dropped, spaces to hyphens).
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..");
const PAGES = ["README.md", ...fs.readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

/** GitHub's anchor for a heading: lower case, markup and punctuation other than hyphens dropped, spaces to hyphens. */
export function anchorOf(heading: string): string {
    return heading.trim().toLowerCase()
        .replace(/[`*_]/g, "")
        .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
        .replace(/[^\p{L}\p{N}\- ]/gu, "")
        .replace(/ /g, "-");
}

/** A page's text with fenced code blocks blanked, so that `# comments` and links in code count for nothing. */
function prose(text: string): string {
    return text.replace(/^ *```[\s\S]*?^ *```/gm, "");
}

/** Every anchor of a page, duplicates numbered as GitHub numbers them. */
function anchors(text: string): Set<string> {
    const seen = new Map<string, number>();
    const all = new Set<string>();
    for (const [, heading] of prose(text).matchAll(/^#{1,6} (.+)$/gm)) {
        const base = anchorOf(heading);
        const count = seen.get(base) ?? 0;
        seen.set(base, count + 1);
        all.add(count === 0 ? base : `${base}-${count}`);
    }
    return all;
}

/** The relative links of a page: [text](target), outside code blocks and inline code. */
function links(text: string): string[] {
    const withoutCode = prose(text).replace(/`[^`\n]*`/g, "");
    return [...withoutCode.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((target) => !/^[a-z]+:/i.test(target));
}

describe("links in README.md and docs/", () => {
    // A README a newcomer reads to the end (STYLE.md): reference material lives in docs/, not here.
    it("keeps the README within 250 lines", () => {
        expect(fs.readFileSync(path.join(ROOT, "README.md"), "utf8").trimEnd().split("\n").length).to.be.at.most(250);
    });

    it("finds pages with links to check", () => {
        expect(PAGES).to.include("README.md").and.include("docs/mcp.md");
        expect(links(fs.readFileSync(path.join(ROOT, "README.md"), "utf8")).length).to.be.greaterThan(10);
    });

    it("computes GitHub's anchors", () => {
        expect(anchorOf("No callback URL to copy (CIMD)")).to.equal("no-callback-url-to-copy-cimd");
        expect(anchorOf("The OAuth facade's threat model")).to.equal("the-oauth-facades-threat-model");
        expect(anchorOf("`GET /oauth/authorize`")).to.equal("get-oauthauthorize");
    });

    for (const page of PAGES) {
        it(`resolves every relative link and anchor of ${page}`, () => {
            const text = fs.readFileSync(path.join(ROOT, page), "utf8");
            const broken: string[] = [];
            for (const target of links(text)) {
                const [file, fragment] = target.split("#");
                const resolved = file === "" ? path.join(ROOT, page) : path.join(ROOT, path.dirname(page), decodeURIComponent(file));
                if (!fs.existsSync(resolved)) {
                    broken.push(`${target}: no such file`);
                    continue;
                }
                if (fragment !== undefined && resolved.endsWith(".md") && !anchors(fs.readFileSync(resolved, "utf8")).has(fragment)) {
                    broken.push(`${target}: no heading with that anchor`);
                }
            }
            expect(broken, page).to.deep.equal([]);
        });
    }
});
