/**
 * Runs the official MCP conformance suite (@modelcontextprotocol/conformance, server mode) one scenario at a
 * time, through its own CLI, and reads the checks it writes (`-o <dir>` → `<dir>/server-<scenario>-<time>/checks.json`).
 * The CLI's own `--expected-failures` baseline is per scenario and carries no reasons, so the comparison with our
 * baseline (per check, each with a why) happens in tests/conformance.test.ts.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** One check as the suite reports it. */
export interface Check {
    readonly id: string;
    readonly name: string;
    readonly description: string;
    readonly status: "SUCCESS" | "FAILURE" | "WARNING" | "INFO" | "SKIPPED";
    readonly errorMessage?: string;
}

export interface ScenarioResult {
    readonly scenario: string;
    readonly checks: readonly Check[];
    readonly durationMs: number;
}

const CLI = join(dirname(require.resolve("@modelcontextprotocol/conformance/package.json")), "dist", "index.js");

/**
 * The CLI imports `globSync` from "fs" (Node 22+) for its tier-check command only; on Node 20 that import alone
 * stops it from loading. This preload resolves the CLI's "fs" to node:fs plus a stub `globSync`, so server mode runs
 * unchanged; on Node 22+ it is not used.
 */
function node20Preload(): string[] {
    if ("globSync" in fs) {
        return [];
    }
    const fsShim = `import fs from "node:fs"; export * from "node:fs"; export default fs;
export function globSync() { throw new Error("fs.globSync needs Node 22"); }`;
    const hooks = `const shim = ${JSON.stringify(dataUrl(fsShim))};
export async function resolve(specifier, context, next) {
    if ((specifier === "fs" || specifier === "node:fs") && (context.parentURL ?? "").includes("/@modelcontextprotocol/conformance/")) {
        return { url: shim, shortCircuit: true };
    }
    return next(specifier, context);
}`;
    return ["--import", dataUrl(`import { register } from "node:module"; register(${JSON.stringify(dataUrl(hooks))});`)];
}

function dataUrl(source: string): string {
    return `data:text/javascript,${encodeURIComponent(source)}`;
}

const PRELOAD = node20Preload();

/** Runs one server scenario against `url`; a run that crashes or exceeds `timeoutMs` becomes one failed check. */
export async function runScenario(url: string, scenario: string, timeoutMs: number): Promise<ScenarioResult> {
    const started = Date.now();
    const outDir = mkdtempSync(join(tmpdir(), "mcp-conformance-"));
    try {
        const { code, output, timedOut } = await runCli([CLI, "server", "--url", url, "--scenario", scenario, "-o", outDir], timeoutMs);
        const file = findChecks(outDir);
        if (timedOut || file === undefined) {
            const reason = timedOut ? `timed out after ${timeoutMs} ms` : `exited with ${String(code)} without writing checks.json`;
            return { scenario, durationMs: Date.now() - started, checks: [{ id: scenario, name: scenario, description: "Run the scenario", status: "FAILURE", errorMessage: `${reason}: ${output.slice(-500)}` }] };
        }
        return { scenario, durationMs: Date.now() - started, checks: JSON.parse(readFileSync(file, "utf8")) as Check[] };
    } finally {
        rmSync(outDir, { recursive: true, force: true });
    }
}

function findChecks(outDir: string): string | undefined {
    for (const entry of readdirSync(outDir)) {
        const file = join(outDir, entry, "checks.json");
        if (existsSync(file)) {
            return file;
        }
    }
    return undefined;
}

interface CliRun {
    readonly code: number | null;
    readonly output: string;
    readonly timedOut: boolean;
}

/** Keeps the last 64 KiB of the CLI's output, for the failure message. */
const OUTPUT_LIMIT = 64 * 1024;

function runCli(args: readonly string[], timeoutMs: number): Promise<CliRun> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [...PRELOAD, ...args], {
            stdio: ["ignore", "pipe", "pipe"],
            env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
        });
        let output = "";
        const collect = (chunk: Buffer) => {
            output = (output + chunk.toString("utf8")).slice(-OUTPUT_LIMIT);
        };
        child.stdout.on("data", collect);
        child.stderr.on("data", collect);
        let timedOut = false;
        const timer = setTimeout(() => {
            timedOut = true;
            child.kill("SIGKILL");
        }, timeoutMs);
        child.on("error", (error) => {
            clearTimeout(timer);
            reject(error);
        });
        child.on("close", (code) => {
            clearTimeout(timer);
            resolve({ code, output, timedOut });
        });
    });
}

/** Every server scenario the CLI knows (active and pending suites), from `list --server`. */
export async function listServerScenarios(timeoutMs: number): Promise<string[]> {
    const { output } = await runCli([CLI, "list", "--server"], timeoutMs);
    return [...output.matchAll(/^\s+- (\S+)/gm)].map((m) => m[1]);
}
