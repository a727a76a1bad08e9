/**
 * `npm run bench`: the deployed handler bundle beside an empty handler bundled the same way, measured in one
 * run: size, module-init time (fresh process per sample) and warm POST /my_route time, with ratios.
 * Budgets (issue 3): bundle ≤ 50 KB; init within 10 ms of the empty handler. Exits 1 when a budget is missed.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { bundleHandler } from "../infra/bundle";
import { median } from "./median";

const SAMPLES = 15;
const WARM_CALLS = 2000;
const BUDGET_BYTES = 50 * 1024;
const BUDGET_INIT_MS = 10;

const EMPTY_HANDLER = `export const handler = async () => ({ statusCode: 200, headers: { "Content-Type": "application/json" }, body: '{"success":true}' });`;

/** Runs in a fresh process: times require() of the bundle, then warm invocations; reports on fd 3. */
const PROBE = `
const fs = require("node:fs");
const event = ${JSON.stringify({
    httpMethod: "POST", resource: "/my_route", path: "/my_route", body: "{}", isBase64Encoded: false,
    headers: { "Content-Type": "application/json" },
    requestContext: { requestId: "bench", authorizer: { claims: { sub: "bench-user", token_use: "access", client_id: "bench-client", scope: "openid" } } },
})};
const t0 = process.hrtime.bigint();
const { handler } = require(process.argv[1]);
const initNs = Number(process.hrtime.bigint() - t0);
(async () => {
  const context = { awsRequestId: "bench" };
  for (let i = 0; i < 200; i++) await handler(event, context);
  const t1 = process.hrtime.bigint();
  for (let i = 0; i < ${WARM_CALLS}; i++) await handler(event, context);
  const invokeNs = Number(process.hrtime.bigint() - t1) / ${WARM_CALLS};
  const status = (await handler(event, context)).statusCode;
  fs.writeSync(3, JSON.stringify({ initNs, invokeNs, status }));
})();
`;

interface Sample { initNs: number; invokeNs: number; status: number }

function sample(file: string): Sample {
    const run = spawnSync(process.execPath, ["-e", PROBE, file], {
        // Logs go to /dev/null, as they would leave the process in Lambda; results come back on fd 3.
        stdio: ["ignore", "ignore", "inherit", "pipe"],
        env: { ...process.env, APP_CLIENT_ID: "bench-client" },
    });
    const out = run.output[3]?.toString() ?? "";
    if (run.status !== 0 || out === "") {
        throw new Error(`probe of ${file} failed (exit ${run.status})`);
    }
    return JSON.parse(out) as Sample;
}

interface Figures { bytes: number; initMs: number; invokeUs: number }

/** Bytes of the bundle that come from the zod package: the cost of validating with a schema library. */
function zodBytes(bytesByInput: Readonly<Record<string, number>>): number {
    return Object.entries(bytesByInput).filter(([input]) => input.includes("node_modules/zod/")).reduce((sum, [, bytes]) => sum + bytes, 0);
}

function measure(code: string, dir: string, name: string): { file: string; bytes: number } {
    const file = path.join(dir, `${name}.js`);
    fs.writeFileSync(file, code);
    return { file, bytes: Buffer.byteLength(code) };
}

function main(): number {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gpt-action-bench-"));
    try {
        const emptyEntry = path.join(dir, "empty.ts");
        fs.writeFileSync(emptyEntry, EMPTY_HANDLER);
        const bundle = bundleHandler();
        const real = measure(bundle.code, dir, "handler");
        const empty = measure(bundleHandler(emptyEntry).code, dir, "empty");

        // Alternate the two so that drift in the machine's speed hits both alike.
        const samples = { real: [] as Sample[], empty: [] as Sample[] };
        for (let i = 0; i < SAMPLES; i++) {
            samples.real.push(sample(real.file));
            samples.empty.push(sample(empty.file));
        }
        if (samples.real.some((s) => s.status !== 200)) {
            throw new Error("the handler did not answer 200 to POST /my_route");
        }
        const figures = (bytes: number, s: Sample[]): Figures => ({
            bytes,
            initMs: median(s.map((x) => x.initNs)) / 1e6,
            invokeUs: median(s.map((x) => x.invokeNs)) / 1e3,
        });
        const exitCode = report(figures(real.bytes, samples.real), figures(empty.bytes, samples.empty));
        const zod = zodBytes(bundle.bytesByInput);
        console.log(`of the bundle, zod/mini (request validation) is ${zod} bytes (${((zod / real.bytes) * 100).toFixed(0)}%)`);
        return exitCode;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

function report(real: Figures, empty: Figures): number {
    const row = (label: string, a: number, b: number, digits: number) =>
        `${label.padEnd(34)}${a.toFixed(digits).padStart(12)}${b.toFixed(digits).padStart(12)}${`${(a / b).toFixed(1)}x`.padStart(10)}`;
    console.log(`Handler bundle (esbuild, minified, as deployed) vs an empty handler; medians of ${SAMPLES} fresh processes, node ${process.version}`);
    console.log(`${"".padEnd(34)}${"gpt-action".padStart(12)}${"empty".padStart(12)}${"ratio".padStart(10)}`);
    console.log(row("bundle size (bytes)", real.bytes, empty.bytes, 0));
    console.log(row("module init (ms)", real.initMs, empty.initMs, 2));
    console.log(row(`warm POST /my_route (µs, ${WARM_CALLS} calls)`, real.invokeUs, empty.invokeUs, 1));
    const sizeOk = real.bytes <= BUDGET_BYTES;
    const initOk = real.initMs - empty.initMs <= BUDGET_INIT_MS;
    console.log(`budget: bundle ≤ ${BUDGET_BYTES} bytes: ${sizeOk ? "met" : "MISSED"} (${real.bytes})`);
    console.log(`budget: init within ${BUDGET_INIT_MS} ms of empty: ${initOk ? "met" : "MISSED"} (+${(real.initMs - empty.initMs).toFixed(2)} ms)`);
    return sizeOk && initOk ? 0 : 1;
}

process.exitCode = main();
