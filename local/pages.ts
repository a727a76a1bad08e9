/** The HTML pages of local mode's hosted UI: login, error and the callback that shows a code. */
import { withYamlForm } from "../infra/configFix";
import { escapeHtml } from "./http";

const page = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem}
label,input,button{display:block;width:100%;margin:.4rem 0}input,button{padding:.5rem;box-sizing:border-box}
.error{color:#b00020}code,pre{word-break:break-all}pre{white-space:pre-wrap}</style></head>
<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;

export interface LoginPageState {
    /** Shown above the form after a failed attempt. */
    readonly error?: string;
    /** The email typed last time, so that a wrong password does not make the user type it again. */
    readonly username?: string;
}

/** The sign-in form; `hidden` carries the authorization request through the POST. */
export function loginPage(hidden: Readonly<Record<string, string>>, state: LoginPageState = {}): string {
    const fields = Object.entries(hidden)
        .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
        .join("");
    const error = state.error === undefined ? "" : `<p class="error" role="alert">${escapeHtml(state.error)}</p>`;
    const typed = state.username === undefined || state.username === "" ? "" : ` value="${escapeHtml(state.username)}"`;
    return page("Sign in (gpt-action local)", `${error}
<form method="post" action="/login">${fields}
<label>Email <input name="username" type="email" autocomplete="username" required autofocus${typed}></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button></form>`);
}

/** `hintHtml` is markup: only this module builds it, from escaped parts. */
const errorBody = (error: string, description: string, hintHtml = "") =>
    page("Sign-in error", `<p class="error"><strong>${escapeHtml(error)}</strong>: ${escapeHtml(description)}</p>${hintHtml}`);

export function errorPage(error: string, description: string): string {
    return errorBody(error, description);
}

/** Cognito's redirect_mismatch, plus what a developer needs: the URI that came, and how to register it. */
export function redirectMismatchPage(redirectUri: string | undefined, key: "callbackUrl" | "mcpCallbackUrl" = "callbackUrl"): string {
    if (redirectUri === undefined) {
        return errorPage("redirect_mismatch", "The request has no redirect_uri.");
    }
    const uri = escapeHtml(redirectUri);
    // A URI with a quote would break out of the quoted shell word: then no command to paste, only the key.
    const quoted = redirectUri.includes("'");
    const command = quoted
        ? `<code>pulumi config set ${key} …</code> (the URI holds a quote; check it before you register it)`
        : `<code>pulumi config set ${key} '${uri}'</code>`;
    // Without the Pulumi CLI (local mode needs none): the same edit in the stack file, its lines as a block.
    const [, byHand, ...yaml] = withYamlForm(`pulumi config set ${key} ${quoted ? "…" : `'${redirectUri}'`}`, 0).split("\n");
    return errorBody("redirect_mismatch", "redirect_uri is not one of the app client's callback URLs.",
        `<p>It was <code>${uri}</code>. Register it with ${command} (then <code>pulumi up</code>), ${escapeHtml(byHand)}</p>
<pre>${escapeHtml(yaml.map((line) => line.slice(2)).join("\n"))}</pre>
<p>Local mode reads the stack's <code>${key}</code> when it starts, so restart it.</p>`);
}

/** Local mode's own callback: shows the code so that it can be exchanged by hand (docs/local-mode.md's curl session). */
export function callbackPage(query: URLSearchParams, next?: { readonly command: string; readonly note: string }): string {
    const rows = [...query].map(([k, v]) => `<p>${escapeHtml(k)}: <code>${escapeHtml(v)}</code></p>`).join("");
    const step = next === undefined ? ""
        : `<p>Next, exchange the code for tokens:</p><p><code>${escapeHtml(next.command)}</code></p><p>${escapeHtml(next.note)}</p>`;
    return page("Authorization response", (rows || "<p>No parameters.</p>") + step);
}
