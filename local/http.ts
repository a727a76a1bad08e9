/** Small HTTP helpers for local mode's server: bounded body reading and typed replies. */
import type { IncomingMessage, ServerResponse } from "node:http";

/** API Gateway's payload limit; a larger request never reaches the function. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

export class BodyTooLarge extends Error {}

/** The request body as bytes; rejects past `limit` bytes without reading the rest. */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        req.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size > limit) {
                reject(new BodyTooLarge(`body over ${limit} bytes`));
                req.destroy();
                return;
            }
            chunks.push(chunk);
        });
        req.on("end", () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
        req.on("error", reject);
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

export function sendHtml(res: ServerResponse, status: number, html: string): void {
    res.writeHead(status, {
        "Content-Type": "text/html; charset=utf-8",
        "Cache-Control": "no-store",
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
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
