/** The HTML pages of local mode's hosted UI: login, error and the callback that shows a code. */
import { escapeHtml } from "./http";

const page = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem}
label,input,button{display:block;width:100%;margin:.4rem 0}input,button{padding:.5rem;box-sizing:border-box}
.error{color:#b00020}code{word-break:break-all}</style></head>
<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;

/** The sign-in form; `hidden` carries the authorization request through the POST. */
export function loginPage(hidden: Readonly<Record<string, string>>, error?: string): string {
    const fields = Object.entries(hidden)
        .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
        .join("");
    return page("Sign in (gpt-action local)", `${error === undefined ? "" : `<p class="error" role="alert">${escapeHtml(error)}</p>`}
<form method="post" action="/login">${fields}
<label>Email <input name="username" type="email" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button></form>`);
}

export function errorPage(error: string, description: string): string {
    return page("Sign-in error", `<p class="error"><strong>${escapeHtml(error)}</strong>: ${escapeHtml(description)}</p>`);
}

/** Local mode's own callback: shows the code so that it can be exchanged by hand (README's curl session). */
export function callbackPage(query: URLSearchParams): string {
    const rows = [...query].map(([k, v]) => `<p>${escapeHtml(k)}: <code>${escapeHtml(v)}</code></p>`).join("");
    return page("Authorization response", rows || "<p>No parameters.</p>");
}
