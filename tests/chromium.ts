/**
 * Finds and launches the Chromium the browser tests drive with playwright-core (the library only: it downloads
 * no browser). Where to look: CHROMIUM_PATH, then Playwright's own install (`npx playwright install chromium`),
 * then Debian's package (`apt-get install chromium`). And what the browser tests share: a page that records console
 * errors, and the user at local mode's login form.
 */
import * as fs from "node:fs";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

export const INSTALL_HINT = "install one with `apt-get install chromium` or `npx playwright install chromium`, or set CHROMIUM_PATH";

/** The browser's executable, or undefined when none is installed. */
export function findChromium(): string | undefined {
    if (process.env.CHROMIUM_PATH) {
        // Named on purpose: used as given, even when it does not exist, so that a typo fails rather than hides.
        return process.env.CHROMIUM_PATH;
    }
    const candidates: string[] = [];
    try {
        candidates.push(chromium.executablePath());
    } catch {
        // No Playwright build for this platform.
    }
    candidates.push("/usr/bin/chromium");
    return candidates.find((file) => fs.existsSync(file));
}

/**
 * The browser to launch, for a suite's `before`: without one the suite is skipped with a line saying so, or, under
 * REQUIRE_BROWSER=1 (CI), fails, so that a missing browser never passes silently there.
 */
export function chromiumOrSkip(context: Mocha.Context, suite = "Browser tests"): string {
    const executable = findChromium();
    if (executable === undefined) {
        if (process.env.REQUIRE_BROWSER === "1") {
            throw new Error(`REQUIRE_BROWSER=1 but no Chromium was found: ${INSTALL_HINT}.`);
        }
        console.log(`    ${suite} NOT run: no Chromium found; ${INSTALL_HINT}.`);
        context.skip();
    }
    return executable;
}

/**
 * Headless, and quiet: no sandbox (the tests may run as root), no GPU, and none of the background traffic a
 * browser makes on its own (the test machine has no network). Playwright gives each launch a fresh temporary
 * profile, so no state carries over between runs.
 */
export function launchChromium(executablePath: string): Promise<Browser> {
    return chromium.launch({
        executablePath,
        headless: true,
        args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"],
    });
}

/** A page in a fresh context, and what its console reports as an error (a CSP violation is one) or the page throws. */
export interface RecordedPage {
    readonly context: BrowserContext;
    readonly page: Page;
    readonly errors: string[];
}

/** Opens a page in a fresh context that records console errors; the caller closes `context`. */
export async function openRecordedPage(browser: Browser, options: Parameters<Browser["newContext"]>[0] = {}): Promise<RecordedPage> {
    const context = await browser.newContext(options);
    context.setDefaultTimeout(5000);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("console", (message) => {
        if (message.type() === "error") {
            // Where, too: "Failed to load resource" alone does not say which.
            errors.push(`${message.text()} (${message.location().url})`);
        }
    });
    page.on("pageerror", (error) => errors.push(error.message));
    return { context, page, errors };
}

/** The user at local mode's login form; waits until the browser has left local mode's pages for `callback`. */
export async function logInAt(page: Page, user: { readonly username: string; readonly password: string }, callback: string): Promise<URL> {
    await page.getByLabel("Email").fill(user.username);
    await page.getByLabel("Password").fill(user.password);
    await Promise.all([page.waitForURL((url) => url.href.startsWith(`${callback}?`)), page.getByRole("button", { name: "Sign in" }).click()]);
    return new URL(page.url());
}
