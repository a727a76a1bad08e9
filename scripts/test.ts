/**
 * `npm test`: the type check, the lint and the mocha suite, failing when any of them fails.
 *
 * The three run at once. Mocha runs the test files in parallel worker processes (each file is independent: Pulumi's
 * mocks are per process). `npm run typecheck` and `npm run lint` run at a lower CPU priority, with their caches in
 * .cache/, so they take the time mocha spends waiting on browsers, servers and child processes instead of slowing
 * its tests. Their output comes after mocha's, whose "N passing" / "N failing" summary stays the only one printed
 * (.ci/run reads it). Arguments go to mocha: `npm test -- --grep facade`, or test files to run instead of all.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { availableParallelism } from "node:os";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..");
const ALL_TESTS = "tests/**/*.test.ts";
/**
 * One more worker than cores: a worker often waits (on Chromium, a local-mode server, the conformance suite's
 * processes), and the spare one keeps the cores busy meanwhile.
 */
const JOBS = availableParallelism() + 1;

interface Finished {
    readonly name: string;
    readonly code: number;
    readonly seconds: number;
    readonly output: string;
}

/** Runs `argv` with node_modules/.bin on the PATH, as npm runs a script; its output is kept for later unless `inherit`. */
function run(name: string, argv: readonly string[], inherit: boolean): Promise<Finished> {
    const started = process.hrtime.bigint();
    const env = { ...process.env, PATH: `${path.join(ROOT, "node_modules", ".bin")}${path.delimiter}${process.env.PATH ?? ""}` };
    return new Promise((resolve) => {
        const child = spawn(argv[0], argv.slice(1), { cwd: ROOT, env, stdio: inherit ? "inherit" : ["ignore", "pipe", "pipe"] });
        const chunks: Buffer[] = [];
        child.stdout?.on("data", (chunk: Buffer) => chunks.push(chunk));
        child.stderr?.on("data", (chunk: Buffer) => chunks.push(chunk));
        const finish = (code: number, extra = "") => resolve({
            name,
            code,
            seconds: Number(process.hrtime.bigint() - started) / 1e9,
            output: Buffer.concat(chunks).toString("utf8") + extra,
        });
        child.on("error", (error) => finish(1, `${error.message}\n`));
        child.on("close", (code, signal) => finish(code ?? 1, signal === null ? "" : `killed by ${signal}\n`));
    });
}

/** A package.json script, run as `npm run <name>` would run it, at a lower priority (nice 10). */
function background(name: string): Promise<Finished> {
    const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
    return run(name, ["nice", "-n", "10", "sh", "-c", scripts[name]], false);
}

async function main(): Promise<number> {
    const started = process.hrtime.bigint();
    const args = process.argv.slice(2);
    const checks = [background("typecheck"), background("lint")];
    const files = args.some((arg) => arg.endsWith(".ts")) ? [] : [ALL_TESTS];
    const mocha = await run("mocha", ["mocha", "--parallel", "--jobs", String(JOBS), ...files, ...args], true);
    const results = [mocha, ...(await Promise.all(checks))];

    console.log();
    for (const result of results.slice(1)) {
        const verdict = result.code === 0 ? "passed" : `FAILED (exit ${result.code})`;
        console.log(`${result.name}: ${verdict} in ${result.seconds.toFixed(1)} s`);
        if (result.code !== 0) {
            console.log(result.output.trimEnd());
        }
    }
    const failed = results.filter((r) => r.code !== 0).map((r) => r.name);
    const seconds = (Number(process.hrtime.bigint() - started) / 1e9).toFixed(1);
    console.log(failed.length === 0 ? `npm test: passed in ${seconds} s` : `npm test: FAILED (${failed.join(", ")}) in ${seconds} s`);
    return failed.length === 0 ? 0 : 1;
}

main().then((code) => {
    process.exitCode = code;
}, (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
});
