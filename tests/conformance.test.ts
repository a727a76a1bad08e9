/**
 * The official MCP conformance suite (@modelcontextprotocol/conformance, server mode) against the MCP endpoint,
 * through a loopback proxy that adds a valid bearer token (the suite connects without OAuth). What is run and
 * what is excluded is in tests/conformance/scenarios.ts; known failures, each with why, in
 * tests/conformance/baseline.json. The target is tests/conformance/target.ts's `startTarget`.
 */
import { expect } from "chai";
import { availableParallelism } from "node:os";
import baseline from "./conformance/baseline.json";
import { startTokenProxy, type TokenProxy } from "./conformance/proxy";
import { APPLICABLE, EXCLUDED } from "./conformance/scenarios";
import { listServerScenarios, runScenario, type Check, type ScenarioResult } from "./conformance/suite";
import { startTarget, type Target } from "./conformance/target";

const SCENARIO_TIMEOUT_MS = 30_000;
/** Each scenario is a Node process of about 1.5 s CPU; more at once than cores only slows them all. */
const CONCURRENCY = Math.min(4, Math.max(2, availableParallelism()));

/** A check fails on FAILURE, and on WARNING as the suite's own baseline logic counts it. */
const failing = (check: Check) => check.status === "FAILURE" || check.status === "WARNING";
const key = (scenario: string, check: string) => `${scenario} › ${check}`;

/** A check known to fail, and why. */
interface ExpectedFailure {
    readonly scenario: string;
    readonly check: string;
    readonly why: string;
}
const EXPECTED_FAILURES: readonly ExpectedFailure[] = baseline.expectedFailures;

async function runAll(url: string, scenarios: readonly string[]): Promise<ScenarioResult[]> {
    const queue = [...scenarios];
    const results: ScenarioResult[] = [];
    const worker = async () => {
        for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
            results.push(await runScenario(url, next, SCENARIO_TIMEOUT_MS));
        }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    return scenarios.map((name) => results.find((r) => r.scenario === name) as ScenarioResult);
}

describe("MCP conformance suite, server mode", function () {
    // Bounded: each scenario is killed after SCENARIO_TIMEOUT_MS; the whole file normally takes 15–30 s.
    this.timeout(90_000);

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

    it("classifies every server scenario the installed suite lists, as run or excluded with a reason", async () => {
        const listed = await listServerScenarios(SCENARIO_TIMEOUT_MS);
        expect(listed.length, "the suite listed no scenarios").to.be.greaterThan(0);
        const classified = [...APPLICABLE, ...Object.keys(EXCLUDED)];
        expect(APPLICABLE.filter((s) => s in EXCLUDED), "both run and excluded").to.deep.equal([]);
        expect([...classified].sort(), "scenarios to classify in tests/conformance/scenarios.ts").to.deep.equal([...listed].sort());
        for (const [scenario, why] of Object.entries(EXCLUDED)) {
            expect(why.trim(), scenario).to.not.equal("");
        }
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

    it("passes every applicable scenario, except the baseline's checks, and the baseline is not stale", async () => {
        const expected = new Map(EXPECTED_FAILURES.map((e) => [key(e.scenario, e.check), e.why]));
        for (const [entry, why] of expected) {
            expect(why.trim(), `${entry}: the baseline says why`).to.not.equal("");
            expect(why, `${entry}: one line`).to.not.include("\n");
        }

        const results = await runAll(proxy!.url, APPLICABLE);
        const failures = new Map<string, Check>();
        for (const result of results) {
            const verdicts = result.checks.filter((c) => c.status === "SUCCESS" || failing(c));
            expect(verdicts.length, `${result.scenario} reported no pass/fail check`).to.be.greaterThan(0);
            for (const check of result.checks.filter(failing)) {
                failures.set(key(result.scenario, check.id), check);
            }
        }

        const unexpected = [...failures].filter(([k]) => !expected.has(k)).map(([k, c]) => `${k}: ${c.status} ${c.errorMessage ?? c.description}`);
        const stale = [...expected.keys()].filter((k) => !failures.has(k));
        const checks = results.flatMap((r) => r.checks.filter((c) => c.status === "SUCCESS" || failing(c)));
        const passedScenarios = results.filter((r) => !r.checks.some(failing)).length;
        console.log(`      MCP conformance: ${results.length} scenarios (${Object.keys(EXCLUDED).length} excluded), ${passedScenarios} passed, `
            + `${results.length - passedScenarios} with expected failures; ${checks.length} checks, ${checks.length - failures.size} passed, `
            + `${failures.size - unexpected.length} expected failures (${results.map((r) => `${r.scenario} ${(r.durationMs / 1000).toFixed(1)} s`).join(", ")})`);
        expect(unexpected, "new failures: fix them, or add them to tests/conformance/baseline.json with why").to.deep.equal([]);
        expect(stale, "baseline entries that pass now or no longer run: remove them from tests/conformance/baseline.json").to.deep.equal([]);
    });
});
