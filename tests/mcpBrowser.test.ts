/**
 * An MCP client's sign-in through local mode in a real Chromium, end to end: the official SDK builds the authorization
 * URL, the browser walks the OAuth facade, the facade's consent page (a CIMD client), the Cognito-shaped login and the
 * redirects back to the client's callback on another origin, then the SDK exchanges the code and lists the tools.
 * What only a browser enforces is what this covers: `form-action` on every hop after a POST (issue 21, item 1), the
 * consent cookie, and the consent page on a phone. Without a browser the suite says so and does not run, unless
 * REQUIRE_BROWSER=1 (CI). UPDATE_SCREENSHOTS=1 writes the consent page's screenshots to docs/ (docs/consent.md).
 */
import { expect } from "chai";
import type { IncomingMessage, ServerResponse } from "node:http";
import * as path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { routeList } from "../handler/routes";
import { startLocal, type LocalServer } from "../local/server";
import { chromiumOrSkip, launchChromium, logInAt, openRecordedPage } from "./chromium";
import { documentHost, type DocumentHost } from "./facadeFixtures";
import { LOCAL_STACK_FILE, clearHandlerEnv, silenceLogs } from "./localMode";
import { connectAfterSignIn, StaticClientProvider } from "./mcpOAuthProvider";

const DOCS = path.join(__dirname, "..", "docs");

describe("an MCP client's sign-in through local mode in a real browser (Chromium)", function () {
    this.timeout(30_000);
    let browser: Browser;
    let local: LocalServer;
    /** Serves the CIMD client's metadata document and plays its callback, on an origin of its own. */
    let client: DocumentHost;
    let clientId: string;
    let context: BrowserContext | undefined;
    let restoreLogs = (): void => undefined;

    const clientCallback = () => `${client.origin}/callback`;
    const cimdClient = (req: IncomingMessage, res: ServerResponse) => {
        const url = new URL(req.url ?? "/", client.origin);
        if (url.pathname === "/start") {
            // The client's own page, which links to the authorization URL, as ChatGPT's does.
            res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
            res.end(`<!doctype html><title>Client</title><a href="${(url.searchParams.get("to") ?? "").replace(/&/g, "&amp;").replace(/"/g, "&quot;")}">Connect</a>`);
            return;
        }
        if (url.pathname === "/callback") {
            res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
            res.end("<!doctype html><title>Client callback</title><p>The client has its answer.</p>");
            return;
        }
        res.writeHead(200, { "Content-Type": "application/json" });
        res.end(JSON.stringify({
            client_id: clientId, client_name: "Browser Test Client", redirect_uris: [clientCallback()],
            grant_types: ["authorization_code", "refresh_token"], response_types: ["code"], token_endpoint_auth_method: "none",
        }));
    };

    before(async function () {
        const executable = chromiumOrSkip(this);
        client = await documentHost(cimdClient);
        clientId = `${client.origin}/client.json`;
        [browser, local] = await Promise.all([
            launchChromium(executable),
            startLocal({ port: 0, stackFile: LOCAL_STACK_FILE, testClientMetadataUrls: [clientId] }),
        ]);
        restoreLogs = silenceLogs();
    });
    after(async () => {
        restoreLogs();
        await browser?.close();
        await local?.close();
        await client?.close();
        clearHandlerEnv();
    });
    afterEach(async () => {
        await context?.close();
        context = undefined;
    });

    /** A page in a fresh context that records console errors; closed after each test. */
    async function openPage(options: Parameters<Browser["newContext"]>[0] = {}): Promise<{ page: Page; errors: string[] }> {
        const opened = await openRecordedPage(browser, options);
        context = opened.context;
        return opened;
    }

    const logIn = (page: Page, callback: string): Promise<URL> => logInAt(page, local.outputs.testUser, callback);

    /** Connects the official SDK client with `provider` (its first attempt sends the browser to sign in) and lists the tools. */
    async function connectAndListTools(provider: StaticClientProvider): Promise<string[]> {
        const mcp = await connectAfterSignIn(new URL(local.outputs.mcpServerUrl ?? ""), provider);
        const { tools } = await mcp.listTools();
        await mcp.close();
        return tools.map((tool) => tool.name);
    }

    const expectResponse = (back: URL, callback: string) => {
        expect(`${back.origin}${back.pathname}`).to.equal(callback);
        // The facade's code: one encrypted, base64url value (handler/facade/encrypted.ts).
        expect(back.searchParams.get("code")).to.match(/^[A-Za-z0-9_-]{40,}$/);
        expect(back.searchParams.get("state")).to.be.a("string").and.not.equal("");
        expect(back.searchParams.get("iss")).to.equal(local.outputs.apiUrl);
    };

    it("the static MCP client: no consent page, login, then on to its callback on another origin (localhost) with code, state and iss; tools/list", async () => {
        const { page, errors } = await openPage();
        const callback = local.outputs.mcpCallbackUrls?.[0] ?? "";
        expect(new URL(callback).origin, "a callback on another origin than the login page's").to.not.equal(new URL(local.baseUrl).origin);
        const provider = new StaticClientProvider({ client_id: local.outputs.mcpClientId ?? "", client_secret: local.outputs.mcpClientSecret }, callback, async (url) => {
            await page.goto(url.href);
            expect(await page.getByRole("heading", { name: /Sign in/ }).isVisible(), "straight to the login page").to.equal(true);
            const back = await logIn(page, callback);
            expectResponse(back, callback);
            return back;
        });
        expect(await connectAndListTools(provider)).to.have.members(routeList().map((r) => r.operationId));
        expect(errors).to.deep.equal([]);
    });

    it("a CIMD client: the consent page, Allow, login, then its own callback with code, state and iss; tools/list", async () => {
        const { page, errors } = await openPage({ viewport: { width: 1000, height: 760 } });
        const provider = new StaticClientProvider({ client_id: clientId }, clientCallback(), async (url) => {
            // Started from a page on another site (localhost is not 127.0.0.1's site): the consent cookie is set on a
            // cross-site navigation and must still come back with the POST (SameSite=Strict).
            const start = new URL(`${client.origin.replace("127.0.0.1", "localhost")}/start`);
            start.searchParams.set("to", url.href);
            await page.goto(start.href);
            await page.getByRole("link", { name: "Connect" }).click();
            await page.getByRole("heading", { name: /An app wants to use/ }).waitFor();
            expect(await page.locator(".name").textContent()).to.include("Browser Test Client").and.include("not verified");
            expect(await page.locator("dd.code").textContent()).to.equal(new URL(clientCallback()).host);
            if (process.env.UPDATE_SCREENSHOTS === "1") {
                await page.screenshot({ path: path.join(DOCS, "consent-desktop.png") });
            }
            await Promise.all([page.waitForURL((u) => u.pathname === "/login"), page.getByRole("button", { name: "Allow" }).click()]);
            const back = await logIn(page, clientCallback());
            expectResponse(back, clientCallback());
            return back;
        });
        expect(await connectAndListTools(provider)).to.have.members(routeList().map((r) => r.operationId));
        expect(errors).to.deep.equal([]);
    });

    it("a CIMD client, denied: access_denied with state and iss at its callback, and no login page on the way", async () => {
        const { page, errors } = await openPage();
        const authorize = new URL(`${local.outputs.apiUrl}/oauth/authorize`);
        authorize.search = new URLSearchParams({
            response_type: "code", client_id: clientId, redirect_uri: clientCallback(), state: "denied-state",
            code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", code_challenge_method: "S256",
        }).toString();
        await page.goto(authorize.href);
        await Promise.all([page.waitForURL((u) => u.href.startsWith(`${clientCallback()}?`)), page.getByRole("button", { name: "Deny" }).click()]);
        const back = new URL(page.url());
        expect(Object.fromEntries(back.searchParams)).to.deep.equal({
            error: "access_denied", error_description: "The user denied the app access.", state: "denied-state", iss: local.outputs.apiUrl,
        });
        expect(errors).to.deep.equal([]);
    });

    it("the consent page fits a 375 px phone screen, its buttons a thumb's size", async () => {
        const { page, errors } = await openPage({ viewport: { width: 375, height: 667 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
        const authorize = new URL(`${local.outputs.apiUrl}/oauth/authorize`);
        authorize.search = new URLSearchParams({
            response_type: "code", client_id: clientId, redirect_uri: clientCallback(), state: "phone",
            code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", code_challenge_method: "S256",
        }).toString();
        await page.goto(authorize.href);
        expect(await page.evaluate<number>("window.innerWidth")).to.equal(375);
        expect(await page.evaluate<number>("document.documentElement.scrollWidth"), "no sideways scrolling").to.be.at.most(375);
        for (const name of ["Allow", "Deny"]) {
            const box = await page.getByRole("button", { name }).boundingBox();
            expect(box?.height, name).to.be.at.least(44);
            expect((box?.x ?? -1) + (box?.width ?? 0), name).to.be.at.most(375);
        }
        if (process.env.UPDATE_SCREENSHOTS === "1") {
            await page.screenshot({ path: path.join(DOCS, "consent-phone.png"), fullPage: true });
        }
        expect(errors).to.deep.equal([]);
    });
});
