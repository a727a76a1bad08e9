/**
 * The login form's cross-site check. Cognito's hosted UI protects its login POST with a CSRF token; local mode asks
 * the browser instead: a form posted from another site (a page open in the developer's browser) must not drive
 * sign-ins or lockouts here. Requests without the browser's headers (curl, tests) pass: no browser, no victim.
 */
import type { IncomingMessage } from "node:http";

/** Why the request is refused, or undefined when it may go on. */
export function crossSiteRefusal(req: IncomingMessage): string | undefined {
    // Fetch Metadata: the browser says where the request comes from; only the login page's own origin may post.
    const site = req.headers["sec-fetch-site"];
    if (site !== undefined && site !== "same-origin" && site !== "none") {
        return `The sign-in form was posted from another site (Sec-Fetch-Site: ${site}); sign in from this server's own login page.`;
    }
    // Older browsers: the Origin header. "null" is what a no-referrer page sends for its own form, so it proves nothing.
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== "null" && origin !== `http://${req.headers.host ?? ""}`) {
        return `The sign-in form was posted from ${origin}, another origin; sign in from this server's own login page.`;
    }
    return undefined;
}
