/**
 * The facade's token and revocation endpoints, called by a page on another origin in a real Chromium, as a
 * browser-based MCP client (MCP Inspector) calls them: a request with HTTP Basic (which makes the browser send a
 * preflight) and a simple one, each answer readable by the page. Skipped, saying so, without a Chromium (as
 * tests/browser.test.ts; REQUIRE_BROWSER=1 makes that a failure).
 */
import { expect } from "chai";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser } from "playwright-core";
import { facadeUrls } from "../handler/facade/paths";
import { startLocal, type LocalServer } from "../local/server";
import { chromiumOrSkip, launchChromium } from "./chromium";
import { LOCAL_STACK_FILE, clearHandlerEnv, silenceLogs } from "./localMode";

describe("the facade's token endpoints from a page on another origin, in Chromium", function () {
    this.timeout(30_000);
    let browser: Browser | undefined;
    let local: LocalServer | undefined;
    let page: Server | undefined;
    let pageOrigin = "";
    let restoreLogs = (): void => undefined;

    before(async function () {
        const executable = chromiumOrSkip(this, "Browser CORS tests");
        // The client's page: an empty document on its own origin (another port of 127.0.0.1).
        page = createServer((_req, res) => {
            res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
            res.end("<!doctype html><title>client</title>");
        });
        await new Promise<void>((resolve) => page?.listen(0, "127.0.0.1", resolve));
        pageOrigin = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
        [browser, local] = await Promise.all([launchChromium(executable), startLocal({ port: 0, stackFile: LOCAL_STACK_FILE })]);
        restoreLogs = silenceLogs();
    });
    after(async () => {
        restoreLogs();
        await browser?.close();
        await local?.close();
        await new Promise((resolve) => page?.close(resolve));
        clearHandlerEnv();
    });

    it("lets the page read the token endpoint's answers, after a preflight for HTTP Basic, and the revocation endpoint's", async () => {
        const context = await browser?.newContext();
        const tab = await context?.newPage();
        await tab?.goto(pageOrigin);
        const urls = facadeUrls(local?.outputs.apiUrl ?? "");
        const basic = `Basic ${Buffer.from(`${local?.outputs.mcpClientId ?? ""}:${local?.outputs.mcpClientSecret ?? ""}`).toString("base64")}`;
        // The page's script as text: tsx's helpers (__name) do not exist in the page.
        const script = `(async () => {
            const form = { "Content-Type": "application/x-www-form-urlencoded" };
            const read = (res) => res.then(async (answer) => ({ status: answer.status, body: await answer.text() }), (error) => ({ status: 0, body: String(error) }));
            return Promise.all([
                read(fetch(${JSON.stringify(urls.token)}, { method: "POST", headers: { ...form, Authorization: ${JSON.stringify(basic)} }, body: "grant_type=refresh_token&refresh_token=unknown" })),
                read(fetch(${JSON.stringify(urls.token)}, { method: "POST", headers: form, body: "grant_type=password" })),
                read(fetch(${JSON.stringify(urls.revoke)}, { method: "POST", headers: { ...form, Authorization: ${JSON.stringify(basic)} }, body: "token=unknown" })),
            ]);
        })()`;
        const answers: Array<{ status: number; body: string }> | undefined = await tab?.evaluate(script);
        await context?.close();
        expect(answers?.map((a) => a.status)).to.deep.equal([400, 401, 200]);
        expect(JSON.parse(answers?.[0].body ?? "{}")).to.include({ error: "invalid_grant" });
        expect(JSON.parse(answers?.[1].body ?? "{}")).to.include({ error: "invalid_client" });
    });
});
