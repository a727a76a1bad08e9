/**
 * The official MCP conformance suite (@modelcontextprotocol/conformance, server mode) against the MCP endpoint,
 * through a loopback proxy that adds a valid bearer token (the suite connects without OAuth). What is run and
 * what is excluded is in tests/conformance/scenarios.ts; known failures, each with why, in
 * tests/conformance/baseline.json. The target is tests/conformance/target.ts's `startTarget`.
 */
/**
 * The official MCP conformance suite (@modelcontextprotocol/conformance, server mode) against the MCP endpoint, at
 * MCP 2026-07-28 and at 2025-11-25 (the one endpoint serves both eras), through a loopback proxy that adds a valid
 * bearer token (the suite connects without OAuth). What is run and what is excluded is in
 * tests/conformance/scenarios.ts; known failures, each with why, in tests/conformance/baseline.json. The target is
 * tests/conformance/target.ts's `startTarget`.
 */
import { expect } from "chai";
import packageJson from "../package.json";
import baseline from "./conformance/baseline.json";
import { startTokenProxy, type TokenProxy } from "./conformance/proxy";
import { APPLICABLE, EXCLUDED, SPEC_VERSIONS, type SpecVersion } from "./conformance/scenarios";
import { runSuite, type Check, type ScenarioResult } from "./conformance/suite";
import { startTarget, type Target } from "./conformance/target";

const SUITE = "@modelcontextprotocol/conformance";
/** One CLI process runs a revision's 30 to 40 scenarios in 2 to 5 s; the bound is for a machine under load. */
const SUITE_TIMEOUT_MS = 40_000;

/** A check fails on FAILURE, and on WARNING as the suite's own baseline logic counts it. */
const failing = (check: Check) => check.status === "FAILURE" || check.status === "WARNING";
const key = (specVersion: string, scenario: string, check: string) => `${specVersion} ${scenario} › ${check}`;

/** A check known to fail at a revision, and why. */
interface ExpectedFailure {
    readonly specVersion: SpecVersion;
    readonly scenario: string;
    readonly check: string;
    readonly why: string;
}
const EXPECTED_FAILURES: readonly ExpectedFailure[] = baseline.expectedFailures as readonly ExpectedFailure[];

describe("MCP conformance suite, server mode", function () {
    // Bounded: each revision's run is killed after SUITE_TIMEOUT_MS; the whole file normally takes 5–10 s.
    this.timeout(2 * SUITE_TIMEOUT_MS + 20_000);

    let target: Target | undefined;
    let proxy: TokenProxy | undefined;
    before(async () => {
        target = await startTarget();
        proxy = await startTokenProxy({ targetUrl: target.mcpUrl, token: target.token });
    });
    after(async () => {
        await proxy?.close();
        await target?.close();
    });

    it("pins the suite to one exact version, so a new release never changes the verdict unannounced", () => {
        expect(packageJson.devDependencies[SUITE]).to.match(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?$/);
    });

    it("the target refuses a request without the token, and the proxy adds one", async () => {
        const ping = { method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }) };
        const direct = await fetch(target!.mcpUrl, ping);
        expect(direct.status).to.equal(401);
        const proxied = await fetch(proxy!.url, ping);
        expect(proxied.status).to.equal(200);
        expect(await proxied.json()).to.deep.equal({ jsonrpc: "2.0", id: 1, result: {} });
    });

    it("the proxy refuses a body over its limit, and closes at once with a keep-alive connection open", async () => {
        const small = await startTokenProxy({ targetUrl: target!.mcpUrl, token: target!.token, maxBodyBytes: 1000 });
        let closed = false;
        try {
            const response = await fetch(small.url, { method: "POST", headers: { "Content-Type": "application/json" }, body: "x".repeat(2000) });
            expect(response.status).to.equal(413);
            // fetch keeps the connection alive for reuse; close() must not wait for it to go idle.
            const started = Date.now();
            await small.close();
            closed = true;
            expect(Date.now() - started).to.be.lessThan(2000);
        } finally {
            if (!closed) {
                await small.close();
            }
        }
    });

    it("the baseline names a revision, a scenario that runs, and why, on one line, for each entry", () => {
        for (const entry of EXPECTED_FAILURES) {
            const where = key(entry.specVersion, entry.scenario, entry.check);
            expect(SPEC_VERSIONS, where).to.include(entry.specVersion);
            expect(APPLICABLE[entry.specVersion], `${where}: not a scenario that runs`).to.include(entry.scenario);
            expect(entry.why.trim(), `${where}: the baseline says why`).to.not.equal("");
            expect(entry.why, `${where}: one line`).to.not.include("\n");
        }
    });

    for (const specVersion of SPEC_VERSIONS) {
        it(`at ${specVersion}: classifies every scenario the suite runs, and passes each applicable one except the baseline's checks; the baseline is not stale`, async () => {
            const started = Date.now();
            const results = await runSuite(proxy!.url, specVersion, SUITE_TIMEOUT_MS);
            const ran = results.map((r) => r.scenario);
            const applicable = APPLICABLE[specVersion];
            const excluded = EXCLUDED[specVersion];
            expect(applicable.filter((s) => s in excluded), "both run and excluded").to.deep.equal([]);
            for (const [scenario, why] of Object.entries(excluded)) {
                expect(why.trim(), scenario).to.not.equal("");
            }
            expect([...applicable, ...Object.keys(excluded)].sort(), "scenarios to classify in tests/conformance/scenarios.ts").to.deep.equal([...ran].sort());

            const checked = results.filter((r) => applicable.includes(r.scenario));
            const failures = new Map<string, Check>();
            for (const result of checked) {
                const verdicts = result.checks.filter((c) => c.status === "SUCCESS" || failing(c));
                expect(verdicts.length, `${result.scenario} reported no pass/fail check`).to.be.greaterThan(0);
                for (const check of result.checks.filter(failing)) {
                    failures.set(key(specVersion, result.scenario, check.id), check);
                }
            }
            const expected = new Set(EXPECTED_FAILURES.filter((e) => e.specVersion === specVersion).map((e) => key(e.specVersion, e.scenario, e.check)));
            const unexpected = [...failures].filter(([k]) => !expected.has(k)).map(([k, c]) => `${k}: ${c.status} ${c.errorMessage ?? c.description}`);
            const stale = [...expected].filter((k) => !failures.has(k));
            report(specVersion, checked, failures.size, Object.keys(excluded).length, Date.now() - started);
            expect(unexpected, "new failures: fix them, or add them to tests/conformance/baseline.json with why").to.deep.equal([]);
            expect(stale, "baseline entries that pass now or no longer run: remove them from tests/conformance/baseline.json").to.deep.equal([]);
        });
    }
});

function report(specVersion: string, results: readonly ScenarioResult[], failures: number, excluded: number, ms: number): void {
    const checks = results.flatMap((r) => r.checks.filter((c) => c.status === "SUCCESS" || failing(c)));
    const clean = results.filter((r) => !r.checks.some(failing)).length;
    console.log(`      MCP conformance at ${specVersion}: ${results.length} scenarios run (${excluded} excluded), ${clean} passed whole; `
        + `${checks.length} checks, ${checks.length - failures} passed, ${failures} in the baseline (${(ms / 1000).toFixed(1)} s)`);
}
