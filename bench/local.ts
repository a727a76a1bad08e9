/**
 * `npm run bench` (second part): authorized POST /my_route requests per second through local mode (JWT
 * verification, event building, the real handler and its log line) beside a bare Node http server answering
 * the same JSON, each in its own process on one core, loaded from the other core, in alternating rounds.
 * Budget (issue 4): local mode ≥ 50 % of the bare server's requests per second. A miss is measured again, and
 * fails the run only when missed every time on a quiet machine (bench/verdict.ts).
 *
 * The load generator is wrk where it is installed, else autocannon. The ratio only means something while
 * both servers are saturated, and one autocannon process needs about as much CPU a request as the bare
 * server does: on a 2-core machine it caps the bare server below its rate and the ratio reads high. wrk
 * (C, a third of a core here) saturates both. Each server's CPU per request (from /proc) is printed too, as
 * is how busy autocannon was, so a reader can see which side was the bottleneck.
 */
import autocannon from "autocannon";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { LocalOutputs } from "../local/server";
import { median } from "./median";
import { ATTEMPTS, machineState, timingVerdict, type MachineState } from "./verdict";

const ROUNDS = 5;
const SECONDS = 3;
const CONNECTIONS = 10;
const BUDGET = 0.5;

const BARE_SERVER = `
require("node:http").createServer((req, res) => {
  req.resume();
  req.on("end", () => { res.writeHead(200, { "Content-Type": "application/json" }); res.end('{"success":true}'); });
}).listen(0, "127.0.0.1", function () { console.log(JSON.stringify({ port: this.address().port })); });
`;

/**
 * Starts `args` with stdout going to a file, and resolves with its first line once written. A file, not a
 * pipe: the servers' request logs must not be read by this process, which also generates the load.
 */
async function startProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ pid: number; stop: () => void; firstLine: string }> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gpt-action-bench-"));
    const file = path.join(dir, "stdout");
    const out = fs.openSync(file, "w");
    // Its own process group, so that stopping it stops npm's children too.
    const child = spawn(args[0], args.slice(1), { env: { ...process.env, ...env }, stdio: ["ignore", out, "ignore"], detached: true });
    fs.closeSync(out);
    child.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
    for (let waited = 0; waited < 30_000; waited += 50) {
        const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
        if (text.includes("\n")) {
            return { pid: child.pid ?? 0, stop: () => process.kill(-(child.pid ?? 0)), firstLine: text.slice(0, text.indexOf("\n")) };
        }
        if (child.exitCode !== null) {
            break;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
    process.kill(-(child.pid ?? 0));
    throw new Error(`${args.join(" ")} did not start`);
}

/** Signs the test user in through local mode's hosted UI and returns an access token. */
async function accessToken(o: LocalOutputs): Promise<string> {
    const login = await fetch(o.authorizationUrl.replace("/oauth2/authorize", "/login"), {
        method: "POST",
        redirect: "manual",
        body: new URLSearchParams({
            client_id: o.clientId, redirect_uri: o.callbackUrls[0], response_type: "code", scope: o.scope,
            username: o.testUser.username, password: o.testUser.password,
        }),
    });
    const code = new URL(login.headers.get("location") ?? "").searchParams.get("code") ?? "";
    const token = await fetch(o.tokenUrl, {
        method: "POST",
        headers: { Authorization: `Basic ${Buffer.from(`${o.clientId}:${o.clientSecret}`).toString("base64")}` },
        body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: o.callbackUrls[0] }),
    });
    return ((await token.json()) as { access_token: string }).access_token;
}

/** taskset prefixes for the servers, and this process moved to the other core, where the machine allows it. */
function pinning(): { server: string[]; note: string } {
    if (os.availableParallelism() < 2 || spawnSync("taskset", ["-p", "-c", "0", String(process.pid)]).status !== 0) {
        return { server: [], note: "unpinned" };
    }
    return { server: ["taskset", "-c", "1"], note: "servers pinned to CPU 1, the load generator to CPU 0" };
}

/**
 * CPU seconds used so far by the processes of group `pgid` (a server and the npm/taskset processes that
 * started it), from /proc; undefined where there is no /proc.
 */
function groupCpuSeconds(pgid: number): number | undefined {
    if (!fs.existsSync("/proc/self/stat")) {
        return undefined;
    }
    let ticks = 0;
    for (const entry of fs.readdirSync("/proc")) {
        let stat: string;
        try {
            stat = /^\d+$/.test(entry) ? fs.readFileSync(`/proc/${entry}/stat`, "utf8") : "";
        } catch {
            continue; // the process ended meanwhile
        }
        // Fields after "(command) ": state ppid pgrp … utime (14th field) stime (15th).
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        if (Number(fields[2]) === pgid) {
            ticks += Number(fields[11]) + Number(fields[12]);
        }
    }
    // Linux reports these in USER_HZ, 100 a second on every architecture Node runs on.
    return ticks / 100;
}

/** One load run's result: requests answered and seconds taken, and how busy the generator was (0–1) if known. */
interface Load {
    readonly requests: number;
    readonly seconds: number;
    readonly generatorBusy?: number;
}

type Generator = (url: string, headers: Record<string, string>, seconds: number) => Promise<Load>;

/** wrk, when on the PATH: one thread, the same connections, a Lua script for the POST. */
function wrkGenerator(): Generator | undefined {
    if (spawnSync("wrk", ["--version"]).error !== undefined) {
        return undefined;
    }
    return (url, headers, seconds) => {
        const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "gpt-action-wrk-")), "post.lua");
        fs.writeFileSync(script, [
            `wrk.method = "POST"`,
            `wrk.body = "{}"`,
            ...Object.entries(headers).map(([name, value]) => `wrk.headers[${JSON.stringify(name)}] = ${JSON.stringify(value)}`),
        ].join("\n"));
        return new Promise((resolve, reject) => {
            const child = spawn("wrk", ["-t1", `-c${CONNECTIONS}`, `-d${seconds}s`, "-s", script, url], { stdio: ["ignore", "pipe", "inherit"] });
            let out = "";
            child.stdout.on("data", (chunk: Buffer) => { out += chunk.toString(); });
            child.on("error", reject);
            child.on("close", () => {
                fs.rmSync(path.dirname(script), { recursive: true, force: true });
                // "123456 requests in 3.00s, …", and "Non-2xx or 3xx responses: N" / "Socket errors: …" on failures.
                const summary = /(\d+) requests in ([\d.]+)(m?s)/.exec(out);
                if (summary === null || /Non-2xx|Socket errors/.test(out)) {
                    reject(new Error(`${url}: wrk reported errors or no summary:\n${out}`));
                    return;
                }
                resolve({ requests: Number(summary[1]), seconds: Number(summary[2]) / (summary[3] === "ms" ? 1000 : 1) });
            });
        });
    };
}

/** autocannon, in this process, whose own CPU use tells whether it was the bottleneck. */
const autocannonGenerator: Generator = async (url, headers, seconds) => {
    const before = process.cpuUsage();
    const started = performance.now();
    const result = await autocannon({ url, method: "POST", headers, body: "{}", connections: CONNECTIONS, duration: seconds });
    const elapsed = (performance.now() - started) / 1000;
    const used = process.cpuUsage(before);
    if (result.non2xx + result.errors > 0) {
        throw new Error(`${url}: ${result.non2xx} non-2xx answers and ${result.errors} errors under load`);
    }
    return { requests: result.requests.total, seconds: elapsed, generatorBusy: (used.user + used.system) / 1e6 / elapsed };
};

interface Round {
    readonly rps: number;
    /** Server CPU per request, in µs; undefined without /proc. */
    readonly cpuPerRequest: number | undefined;
    readonly generatorBusy?: number;
}

async function round(generate: Generator, url: string, headers: Record<string, string>, serverGroup: number): Promise<Round> {
    const before = groupCpuSeconds(serverGroup);
    const load = await generate(url, headers, SECONDS);
    const after = groupCpuSeconds(serverGroup);
    return {
        rps: load.requests / load.seconds,
        cpuPerRequest: before === undefined || after === undefined ? undefined : ((after - before) / load.requests) * 1e6,
        generatorBusy: load.generatorBusy,
    };
}

const percent = (x: number) => `${(x * 100).toFixed(0)} %`;

function summarize(rounds: readonly Round[]): string {
    const cpu = rounds.map((r) => r.cpuPerRequest);
    const busy = rounds.map((r) => r.generatorBusy);
    return `${median(rounds.map((r) => r.rps)).toFixed(0).padStart(7)} req/s`
        + (cpu.every((c) => c !== undefined) ? `, ${median(cpu).toFixed(1)} µs of server CPU a request` : "")
        + (busy.every((b) => b !== undefined) ? ` (autocannon ${percent(median(busy))} busy)` : "");
}

async function main(): Promise<number> {
    // Servers on one core, the load generator on the other, so that neither server competes with it for a
    // core and the ratio compares the servers' own costs. Local mode exactly as users start it.
    const pin = pinning();
    const wrk = wrkGenerator();
    const generate = wrk ?? autocannonGenerator;
    // --json: the outputs as one JSON line first, instead of the summary people read.
    const local = await startProcess([...pin.server, "npm", "run", "--silent", "local", "--", "--json"], { PORT: "0" });
    const bare = await startProcess([...pin.server, process.execPath, "-e", BARE_SERVER]);
    try {
        const outputs = JSON.parse(local.firstLine) as LocalOutputs;
        const headers = { Authorization: `Bearer ${await accessToken(outputs)}`, "Content-Type": "application/json" };
        const bareUrl = `http://127.0.0.1:${(JSON.parse(bare.firstLine) as { port: number }).port}/`;
        const localUrl = `${outputs.apiUrl}/my_route`;
        // One unmeasured second each, so that both are past their JIT warm-up.
        await generate(bareUrl, headers, 1);
        await generate(localUrl, headers, 1);
        const attempts: Array<{ ok: boolean; value: string; machine: MachineState }> = [];
        // A miss is measured again: a busy moment must not decide it.
        while (attempts.length < ATTEMPTS && !attempts.some((a) => a.ok)) {
            if (attempts.length > 0) {
                console.log(`  missed; measuring again (attempt ${attempts.length + 1} of ${ATTEMPTS})`);
            }
            const loadBefore = os.loadavg()[0];
            const bareRounds: Round[] = [];
            const localRounds: Round[] = [];
            for (let i = 0; i < ROUNDS; i++) {
                bareRounds.push(await round(generate, bareUrl, headers, bare.pid));
                localRounds.push(await round(generate, localUrl, headers, local.pid));
            }
            // Each local round is paired with the bare round before it, so that drift in the machine's speed cancels.
            const ratios = localRounds.map((l, i) => l.rps / bareRounds[i].rps);
            const ratio = median(ratios);
            // The servers and the load generator keep both cores busy (about 2 of the load average); the bare
            // server's rounds are the reference whose spread shows how steady the machine was.
            const machine = machineState([loadBefore, os.loadavg()[0]], bareRounds.map((r) => r.rps), Math.min(2, os.cpus().length));
            console.log(`\nAuthorized POST /my_route, ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${SECONDS} s (${wrk === undefined ? "autocannon" : "wrk"}; ${pin.note}); medians`);
            console.log(`  local mode (JWT check + handler): ${summarize(localRounds)}`);
            console.log(`  bare node:http server:            ${summarize(bareRounds)}`);
            console.log(`  ratio: ${percent(ratio)} (pairs: ${ratios.map((r) => (r * 100).toFixed(0)).join(", ")}); machine: ${machine.detail}`);
            if (wrk === undefined && median(bareRounds.map((r) => r.generatorBusy ?? 0)) > 0.9) {
                console.log("  autocannon was the bottleneck in the bare rounds, so this ratio reads high; install wrk for a load that saturates both");
            }
            attempts.push({ ok: ratio >= BUDGET, value: percent(ratio), machine });
        }
        const verdict = timingVerdict(`local mode ≥ ${BUDGET * 100} % of the bare server`, attempts);
        console.log(verdict.line);
        return verdict.fails ? 1 : 0;
    } finally {
        local.stop();
        bare.stop();
    }
}

main().then((code) => { process.exitCode = code; }, (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
});
