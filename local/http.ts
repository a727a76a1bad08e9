/** Small HTTP helpers for local mode's server: bounded body reading and typed replies. */
import type { IncomingMessage, ServerResponse } from "node:http";

/** API Gateway's payload limit; a larger request never reaches the function. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

export class BodyTooLarge extends Error {}

/** How long the rest of a refused body is read (and dropped) after the answer, so that the client sees it. */
const DRAIN_MS = 1000;

/**
 * The request body as bytes; rejects with BodyTooLarge past `limit` bytes. The rest is then read and dropped
 * rather than the socket destroyed: a client still sending would otherwise get a reset instead of the answer.
 */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        req.on("data", (chunk: Buffer) => {
            if (size > limit) {
                return;
            }
            size += chunk.length;
            if (size > limit) {
                chunks.length = 0;
                reject(new BodyTooLarge(`body over ${limit} bytes`));
                return;
            }
            chunks.push(chunk);
        });
        req.on("end", () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
        req.on("error", reject);
    });
}

/**
 * After answering a refused body (sent with `Connection: close`): stops reading soon, so that an endless upload
 * cannot keep the connection, while a client that is still sending has time to read the answer.
 */
export function closeSoon(req: IncomingMessage, res: ServerResponse): void {
    res.once("finish", () => {
        if (!req.complete) {
            setTimeout(() => req.destroy(), DRAIN_MS).unref();
        }
    });
}

/** application/x-www-form-urlencoded fields; a repeated field keeps its first value. */
export function parseForm(body: Buffer): Record<string, string> {
    const fields: Record<string, string> = {};
    for (const [key, value] of new URLSearchParams(body.toString("utf8"))) {
        if (!(key in fields)) {
            fields[key] = value;
        }
    }
    return fields;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { "Content-Type": "application/json", "Cache-Control": "no-store", ...headers });
    res.end(text);
}

/** After an unexpected error: a 500 if nothing was sent yet, else the connection is cut. */
export function failed(res: ServerResponse): void {
    if (!res.headersSent) {
        sendJson(res, 500, { message: "Internal server error" });
    } else {
        res.destroy();
    }
}

/**
 * An HTML page that may not run scripts, load anything or be framed. `formTargets` are the URLs its form may
 * end up at: browsers apply `form-action` to the redirect that follows the POST too, so the page of a sign-in
 * must allow the origin of the redirect URI it will send the browser to, not only its own.
 */
export function sendHtml(res: ServerResponse, status: number, html: string, formTargets: readonly string[] = []): void {
    const origins = formTargets.map((target) => new URL(target).origin).filter((origin) => origin !== "null");
    const formAction = ["'self'", ...new Set(origins)].join(" ");
    res.writeHead(status, {
        "Content-Type": "text/html; charset=utf-8",
        "Cache-Control": "no-store",
        "Content-Security-Policy": `default-src 'none'; style-src 'unsafe-inline'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
        "X-Frame-Options": "DENY",
    });
    res.end(html);
}

export function redirect(res: ServerResponse, location: string): void {
    res.writeHead(302, { Location: location, "Cache-Control": "no-store" });
    res.end();
}

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
    return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
