/**
 * Local mode's hosted UI in a real Chromium: what only a browser enforces (the login page's Content Security
 * Policy applies `form-action` to the redirect after the POST; the viewport meta on a phone) is tested here, the
 * way a user meets it. Without a browser the suite says so and does not run, unless REQUIRE_BROWSER=1 (CI),
 * where that fails the run.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { startLocal, type LocalServer } from "../local/server";
import { chromiumOrSkip, launchChromium, openRecordedPage } from "./chromium";
import { LOCAL_STACK_FILE, clearHandlerEnv, silenceLogs } from "./localMode";

const CHATGPT_CALLBACK = "https://chatgpt.com/aip/g-0123456789abcdef/oauth/callback";

describe("local mode's sign-in in a real browser (Chromium)", function () {
    this.timeout(20_000);
    let browser: Browser;
    let local: LocalServer;
    let context: BrowserContext | undefined;
    /** Where each scenario leaves a screenshot, when BROWSER_SCREENSHOTS names a folder; none otherwise (PNGs cost CPU). */
    const shots = process.env.BROWSER_SCREENSHOTS;
    const screenshot = async (page: Page, name: string) => {
        if (shots !== undefined) {
            await page.screenshot({ path: path.join(shots, name) });
        }
    };
    let restoreLogs = (): void => undefined;

    before(async function () {
        const executable = chromiumOrSkip(this);
        if (shots !== undefined) {
            fs.mkdirSync(shots, { recursive: true });
        }
        [browser, local] = await Promise.all([
            launchChromium(executable),
            startLocal({ port: 0, stackFile: LOCAL_STACK_FILE, config: { callbackUrl: CHATGPT_CALLBACK } }),
        ]);
        restoreLogs = silenceLogs();
    });
    after(async () => {
        restoreLogs();
        await browser?.close();
        await local?.close();
        clearHandlerEnv();
    });
    afterEach(async () => {
        await context?.close();
        context = undefined;
    });

    /** A page in a fresh context that records console errors (a CSP violation is one); closed after each test. */
    async function openPage(options: Parameters<Browser["newContext"]>[0] = {}): Promise<{ page: Page; errors: string[] }> {
        const opened = await openRecordedPage(browser, options);
        context = opened.context;
        return opened;
    }

    const authorizeUrl = (redirectUri: string, state: string) => {
        const url = new URL(local.outputs.authorizationUrl);
        url.search = new URLSearchParams({ response_type: "code", client_id: local.outputs.clientId, redirect_uri: redirectUri, scope: local.outputs.scope, state }).toString();
        return url.toString();
    };

    async function submit(page: Page, password: string): Promise<void> {
        await page.getByLabel("Email").fill(local.outputs.testUser.username);
        await page.getByLabel("Password").fill(password);
        await page.getByRole("button", { name: "Sign in" }).click();
    }

    it("signs in: login page, a wrong password (error, email kept, no code), then the callback with a code and the same state", async () => {
        const { page, errors } = await openPage();
        const callback = local.outputs.callbackUrls[0];
        await page.goto(authorizeUrl(callback, "state-desktop"));
        expect(await page.getByRole("heading", { name: /Sign in/ }).isVisible()).to.equal(true);
        expect(await page.locator(":focus").getAttribute("name"), "the email field has the focus").to.equal("username");

        await submit(page, "wrong-password");
        await page.getByRole("alert").waitFor();
        expect(await page.getByRole("alert").textContent()).to.equal("Incorrect username or password.");
        expect(await page.getByLabel("Email").inputValue()).to.equal(local.outputs.testUser.username);
        expect(new URL(page.url()).searchParams.has("code")).to.equal(false);
        await screenshot(page, "1-wrong-password.png");

        await page.getByLabel("Password").fill(local.outputs.testUser.password);
        await Promise.all([page.waitForURL((url) => url.pathname === "/callback"), page.getByRole("button", { name: "Sign in" }).click()]);
        const landed = new URL(page.url());
        expect(landed.origin).to.equal(new URL(callback).origin);
        expect(landed.searchParams.get("code")).to.match(/^[\w-]{43}$/);
        expect(landed.searchParams.get("state")).to.equal("state-desktop");
        await screenshot(page, "1-callback.png");
        expect(errors).to.deep.equal([]);
    });

    it("sends the browser on to a registered ChatGPT callback URL with the code and state", async () => {
        expect(local.outputs.callbackUrls).to.include(CHATGPT_CALLBACK);
        const { page, errors } = await openPage();
        // Nothing answers at chatgpt.com here: the navigation is recorded, then aborted.
        const sentTo: string[] = [];
        await page.route("https://chatgpt.com/**", async (route) => {
            sentTo.push(route.request().url());
            await route.abort();
        });
        await page.goto(authorizeUrl(CHATGPT_CALLBACK, "state-chatgpt"));
        await screenshot(page, "2-chatgpt-login.png");
        await submit(page, local.outputs.testUser.password);
        expect(await waitFor(() => sentTo.length > 0), "the browser went to chatgpt.com").to.equal(true);
        const sent = new URL(sentTo[0]);
        expect(`${sent.origin}${sent.pathname}`).to.equal(CHATGPT_CALLBACK);
        expect(sent.searchParams.get("code")).to.match(/^[\w-]{43}$/);
        expect(sent.searchParams.get("state")).to.equal("state-chatgpt");
        expect(errors).to.deep.equal([]);
    });

    it("fits a 390 px phone screen (the viewport meta), and signs in there too", async () => {
        const { page, errors } = await openPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true });
        await page.goto(authorizeUrl(local.outputs.callbackUrls[0], "state-phone"));
        // Without the meta a phone lays the page out 980 px wide and shrinks it to 40 %.
        expect(await page.evaluate<number>("window.innerWidth")).to.equal(390);
        expect((await page.locator("form").boundingBox())?.width).to.be.within(390 * 0.8, 390);
        await screenshot(page, "3-phone.png");
        await submit(page, local.outputs.testUser.password);
        await page.waitForURL((url) => url.pathname === "/callback");
        expect(new URL(page.url()).searchParams.get("state")).to.equal("state-phone");
        expect(errors).to.deep.equal([]);
    });
});

/** Polls `condition` for up to 5 s. */
async function waitFor(condition: () => boolean): Promise<boolean> {
    for (let i = 0; i < 50 && !condition(); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return condition();
}
