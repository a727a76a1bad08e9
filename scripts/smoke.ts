/**
 * `npm run smoke [outputs.json]`: after `pulumi up`, checks what most often goes wrong, without a user's
 * password: the API refuses a request without a token; the authorize endpoint accepts every registered
 * callback URL; the token endpoint knows the client (a dummy code with the real secret gets invalid_grant,
 * not invalid_client). Exits 1 when a check fails.
 */
import { readOutputs, type StackOutputs } from "./outputs";

export interface CheckResult {
    readonly ok: boolean;
    readonly name: string;
    readonly detail: string;
}

const TIMEOUT_MS = 10_000;

async function check(name: string, run: () => Promise<string>): Promise<CheckResult> {
    try {
        return { ok: true, name, detail: await run() };
    } catch (error) {
        return { ok: false, name, detail: error instanceof Error ? error.message : String(error) };
    }
}

export async function smoke(outputs: StackOutputs): Promise<CheckResult[]> {
    const results: CheckResult[] = [];
    const paths = Object.keys((JSON.parse(outputs.openApiSchema) as { paths: Record<string, unknown> }).paths);
    for (const path of paths) {
        results.push(await check(`POST ${path} without a token is refused`, async () => {
            const res = await fetch(`${outputs.apiUrl}${path}`, { method: "POST", body: "{}", signal: AbortSignal.timeout(TIMEOUT_MS) });
            const body = await res.text();
            if (res.status !== 401) {
                throw new Error(`expected 401, got ${res.status}: ${body.slice(0, 200)}`);
            }
            return `401 ${body}`;
        }));
    }
    for (const callbackUrl of outputs.callbackUrls) {
        results.push(await check(`authorize accepts ${callbackUrl}`, async () => {
            const url = new URL(outputs.authorizationUrl);
            url.search = new URLSearchParams({ response_type: "code", client_id: outputs.clientId, redirect_uri: callbackUrl, scope: outputs.scope, state: "smoke" }).toString();
            const res = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(TIMEOUT_MS) });
            const location = res.headers.get("location") ?? "";
            const error = location === "" ? null : new URL(location, url).searchParams.get("error");
            if (res.status >= 400 || error !== null) {
                throw new Error(`refused (${res.status}${error === null ? "" : ` ${error}`}): run pulumi config set callbackUrl <url> && pulumi up`);
            }
            return `${res.status}${location === "" ? "" : ` → ${new URL(location, url).pathname}`}`;
        }));
    }
    results.push(await check("token endpoint knows the client id and secret", async () => {
        const res = await fetch(outputs.tokenUrl, {
            method: "POST",
            headers: {
                Authorization: `Basic ${Buffer.from(`${encodeURIComponent(outputs.clientId)}:${encodeURIComponent(outputs.clientSecret)}`).toString("base64")}`,
                "Content-Type": "application/x-www-form-urlencoded",
            },
            body: new URLSearchParams({ grant_type: "authorization_code", code: "smoke-test-dummy-code", redirect_uri: outputs.callbackUrls[0] ?? "" }),
            signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        const text = await res.text();
        let error: unknown;
        try {
            error = (JSON.parse(text) as { error?: unknown }).error;
        } catch {
            error = undefined;
        }
        if (error === "invalid_client") {
            throw new Error("invalid_client: the client id or secret is wrong; compare them with pulumi stack output --show-secrets");
        }
        if (error !== "invalid_grant") {
            throw new Error(`expected invalid_grant for a dummy code, got ${res.status}: ${text.slice(0, 200)}`);
        }
        return "invalid_grant for a dummy code, as expected";
    }));
    return results;
}

async function main(): Promise<number> {
    const results = await smoke(readOutputs(process.argv[2], "smoke"));
    for (const r of results) {
        console.log(`${r.ok ? "✔" : "✘"} ${r.name}: ${r.detail}`);
    }
    const failed = results.filter((r) => !r.ok).length;
    console.log(failed === 0 ? `All ${results.length} checks passed.` : `${failed} of ${results.length} checks failed.`);
    return failed === 0 ? 0 : 1;
}

if (require.main === module) {
    main().then((code) => { process.exitCode = code; }, (error: unknown) => {
        console.error(error instanceof Error ? error.message : error);
        process.exitCode = 1;
    });
}
