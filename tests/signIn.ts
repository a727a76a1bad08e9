/** A user at local mode's hosted UI, for tests: follows an authorize URL to the login form and submits it. */
import { expect } from "chai";

/** The hidden fields of the login page's form. */
export function hiddenFields(html: string): Record<string, string> {
    const unescape = (s: string) => s.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
    const fields: Record<string, string> = {};
    for (const match of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
        fields[unescape(match[1])] = unescape(match[2]);
    }
    return fields;
}

/**
 * authorize → login page → POST of the credentials, as a browser would; returns where the last redirect points
 * (the client's callback with `code` or `error`).
 */
export async function signIn(authorizeUrl: URL | string, user: { readonly username: string; readonly password: string }): Promise<URL> {
    const toLogin = await fetch(authorizeUrl, { redirect: "manual" });
    expect(toLogin.status, "authorize redirects").to.equal(302);
    const next = new URL(toLogin.headers.get("location") ?? "", authorizeUrl);
    if (next.pathname !== "/login") {
        return next; // an error sent back to the client's callback
    }
    const page = await fetch(next);
    expect(page.status).to.equal(200);
    const form = new URLSearchParams({ ...hiddenFields(await page.text()), ...user });
    const back = await fetch(new URL("/login", next), { method: "POST", body: form, redirect: "manual" });
    expect(back.status, "the login redirects to the callback").to.equal(302);
    return new URL(back.headers.get("location") ?? "");
}
