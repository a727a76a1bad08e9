/**
 * `npm run bench` (second part): authorized POST /my_route requests per second through local mode (JWT
 * verification, event building, the real handler) beside a bare Node http server answering the same JSON,
 * each in its own process, loaded by autocannon in this one, alternating, bounded in time.
 * Budget (issue 4): local mode ≥ 50 % of the bare server. Exits 1 when it is missed.
 */
import autocannon from "autocannon";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { LocalOutputs } from "../local/server";

const ROUNDS = 4;
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
async function startProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ stop: () => void; firstLine: string }> {
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
            return { stop: () => process.kill(-(child.pid ?? 0)), firstLine: text.slice(0, text.indexOf("\n")) };
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
    return { server: ["taskset", "-c", "1"], note: "servers pinned to CPU 1, autocannon to CPU 0" };
}

async function load(url: string, headers: Record<string, string>): Promise<{ rps: number; non2xx: number }> {
    const result = await autocannon({ url, method: "POST", headers, body: "{}", connections: CONNECTIONS, duration: SECONDS });
    return { rps: result.requests.average, non2xx: result.non2xx + result.errors };
}

async function main(): Promise<number> {
    // Servers on one core, the load generator (this process) on the other, so that neither server competes with
    // autocannon for a core and the ratio compares the servers' own costs. Local mode exactly as users start it.
    const pin = pinning();
    const local = await startProcess([...pin.server, "npm", "run", "--silent", "local"], { PORT: "0" });
    const bare = await startProcess([...pin.server, process.execPath, "-e", BARE_SERVER]);
    try {
        const outputs = JSON.parse(local.firstLine) as LocalOutputs;
        const headers = { Authorization: `Bearer ${await accessToken(outputs)}`, "Content-Type": "application/json" };
        const bareUrl = `http://127.0.0.1:${(JSON.parse(bare.firstLine) as { port: number }).port}/`;
        const runs = { local: [] as number[], bare: [] as number[] };
        for (let round = 0; round < ROUNDS; round++) {
            const b = await load(bareUrl, headers);
            const l = await load(`${outputs.apiUrl}/my_route`, headers);
            if (l.non2xx > 0 || b.non2xx > 0) {
                throw new Error(`errors under load: local ${l.non2xx}, bare ${b.non2xx}`);
            }
            runs.bare.push(b.rps);
            runs.local.push(l.rps);
        }
        // Pair each local round with the bare round before it, so drift in the machine's speed cancels out.
        const ratios = runs.local.map((l, i) => l / runs.bare[i]).sort((a, b) => a - b);
        const ratio = (ratios[(ROUNDS - 1) >> 1] + ratios[ROUNDS >> 1]) / 2;
        const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
        console.log(`\nAuthorized POST /my_route, ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${SECONDS} s (autocannon; ${pin.note})`);
        console.log(`  local mode (JWT check + handler): ${median(runs.local).toFixed(0)} req/s (median)`);
        console.log(`  bare node:http server:            ${median(runs.bare).toFixed(0)} req/s (median)`);
        console.log(`  ratio: ${(ratio * 100).toFixed(0)} % (median of the pairwise ratios ${ratios.map((r) => (r * 100).toFixed(0)).join(", ")})`);
        console.log(`budget: local mode ≥ ${BUDGET * 100} % of the bare server: ${ratio >= BUDGET ? "met" : "MISSED"}`);
        return ratio >= BUDGET ? 0 : 1;
    } finally {
        local.stop();
        bare.stop();
    }
}

main().then((code) => { process.exitCode = code; }, (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
});
