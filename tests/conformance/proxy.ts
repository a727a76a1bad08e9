/**
 * A loopback proxy that adds `Authorization: Bearer <token>` to every request and forwards it to one target
 * URL, streaming both ways. The conformance suite connects without OAuth; this lets it reach an endpoint that
 * requires a token, exactly as an authorized client would.
 */
import { request as httpRequest, createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import { request as httpsRequest } from "node:https";
import { closeServer, listen } from "./target";

export interface ProxyOptions {
    /** The URL the proxy stands for: every request goes here, whatever its path, with its query string kept. */
    readonly targetUrl: string;
    readonly token: string;
    /** Largest request body forwarded; a larger one gets 413. Default: 10 MiB, API Gateway's limit. */
    readonly maxBodyBytes?: number;
    /** Longest a request may take end to end before the proxy gives up with 504. Default: 30 s. */
    readonly timeoutMs?: number;
}

export interface TokenProxy {
    /** The proxy's URL for the target: same path, on 127.0.0.1. */
    readonly url: string;
    readonly close: () => Promise<void>;
}

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1) are the proxy's own, not forwarded, and the token is the proxy's to add. Host
 * passes through, as it does to API Gateway, so the target judges the Host the client sent (the DNS-rebinding check).
 */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "authorization"]);

function forwardedHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
    return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));
}

export async function startTokenProxy(options: ProxyOptions): Promise<TokenProxy> {
    const target = new URL(options.targetUrl);
    const maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024;
    const timeoutMs = options.timeoutMs ?? 30_000;
    const send = target.protocol === "https:" ? httpsRequest : httpRequest;

    const reply = (res: ServerResponse, status: number, message: string) => {
        if (res.headersSent) {
            res.destroy();
            return;
        }
        res.writeHead(status, { "Content-Type": "application/json", Connection: "close" });
        res.end(JSON.stringify({ message }));
    };

    const forward = (req: IncomingMessage, res: ServerResponse) => {
        const incoming = new URL(req.url ?? "/", "http://proxy");
        const declared = Number(req.headers["content-length"] ?? 0);
        if (declared > maxBodyBytes) {
            reply(res, 413, "Request body too large for the proxy");
            req.resume();
            return;
        }
        const upstream = send(new URL(`${target.pathname}${incoming.search}`, target), {
            method: req.method,
            headers: { ...forwardedHeaders(req.headers), authorization: `Bearer ${options.token}` },
        });
        const timer = setTimeout(() => {
            upstream.destroy();
            reply(res, 504, "The target did not answer in time");
        }, timeoutMs);
        timer.unref();
        upstream.on("response", (answer) => {
            res.writeHead(answer.statusCode ?? 502, forwardedHeaders(answer.headers));
            answer.pipe(res);
            answer.on("end", () => clearTimeout(timer));
            answer.on("error", () => res.destroy());
        });
        upstream.on("error", () => {
            clearTimeout(timer);
            reply(res, 502, "The target could not be reached");
        });
        // The client went away (e.g. it cancelled an SSE stream): stop the upstream request too.
        res.on("close", () => {
            clearTimeout(timer);
            if (!res.writableFinished) {
                upstream.destroy();
            }
        });
        let size = 0;
        req.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxBodyBytes) {
                upstream.destroy();
                reply(res, 413, "Request body too large for the proxy");
                req.destroy();
            }
        });
        req.pipe(upstream);
    };

    const server = createServer(forward);
    const port = await listen(server);
    return {
        url: `http://127.0.0.1:${port}${target.pathname}`,
        close: () => closeServer(server),
    };
}
