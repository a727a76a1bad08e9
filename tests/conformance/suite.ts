/**
 * Runs the official MCP conformance suite (@modelcontextprotocol/conformance, server mode) at one MCP revision
 * through its own CLI, and reads the checks it writes (`-o <dir>` → `<dir>/server-<scenario>-<time>/checks.json`).
 * The CLI's own `--expected-failures` baseline is per scenario and carries no reasons, so the comparison with our
 * baseline (per check, each with a why) happens in tests/conformance.test.ts.
 */
import { spawn } from "node:child_process";
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
}

const CLI = join(dirname(require.resolve("@modelcontextprotocol/conformance/package.json")), "dist", "index.js");

/**
 * Runs every server scenario the suite has for MCP revision `specVersion` (`--suite all`: active, pending and draft)
 * against `url`, in one CLI process, and returns each scenario's checks. A run that crashes before writing any, or
 * exceeds `timeoutMs`, throws with the CLI's output.
 */
export async function runSuite(url: string, specVersion: string, timeoutMs: number): Promise<ScenarioResult[]> {
    const outDir = mkdtempSync(join(tmpdir(), "mcp-conformance-"));
    try {
        const { code, output, timedOut } = await runCli([CLI, "server", "--url", url, "--suite", "all", "--spec-version", specVersion, "-o", outDir], timeoutMs);
        const results = readdirSync(outDir).flatMap((entry): ScenarioResult[] => {
            // `server-<scenario>-<ISO time with - for :>`
            const scenario = /^server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$/.exec(entry)?.[1];
            const file = join(outDir, entry, "checks.json");
            return scenario === undefined || !existsSync(file) ? [] : [{ scenario, checks: JSON.parse(readFileSync(file, "utf8")) as Check[] }];
        });
        if (timedOut || results.length === 0) {
            throw new Error(`the conformance CLI ${timedOut ? `timed out after ${timeoutMs} ms` : `exited with ${String(code)} and wrote no checks`}: ${output.slice(-1000)}`);
        }
        return results;
    } finally {
        rmSync(outDir, { recursive: true, force: true });
    }
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
        const child = spawn(process.execPath, args, {
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
