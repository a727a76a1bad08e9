/**
 * Finds and launches the Chromium the browser tests drive with playwright-core (the library only: it downloads
 * no browser). Where to look: CHROMIUM_PATH, then Playwright's own install (`npx playwright install chromium`),
 * then Debian's package (`apt-get install chromium`).
 */
import * as fs from "node:fs";
import { chromium, type Browser } from "playwright-core";

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
