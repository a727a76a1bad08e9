/**
 * One TLS handshake offering exactly one protocol version, for `npm run smoke`'s "TLS 1.0 refused, TLS 1.2 accepted"
 * checks. Node's OpenSSL 3 will not even offer TLS 1.0 at its default security level (the handshake stops on the
 * client with ERR_SSL_NO_PROTOCOLS_AVAILABLE), so a 1.0 probe lowers the client's level: a refusal then comes from
 * the server, which is what the check has to prove.
 */
import * as tls from "node:tls";

export type Handshake =
    /** `certificateError`: why the certificate did not verify, undefined when it did. */
    | { readonly outcome: "accepted"; readonly protocol: string; readonly certificateError?: string }
    /** The server ended the handshake (a TLS alert, or a reset during it). */
    | { readonly outcome: "refused"; readonly reason: string }
    /** Nothing was proved: no connection, or this client could not offer the version. */
    | { readonly outcome: "inconclusive"; readonly reason: string };

export interface Endpoint {
    readonly host: string;
    readonly port: number;
}

const TIMEOUT_MS = 10_000;

/** The host and port of an https URL's origin. */
export function endpointOf(url: string): Endpoint {
    const parsed = new URL(url);
    return { host: parsed.hostname, port: parsed.port === "" ? 443 : Number(parsed.port) };
}

/**
 * Handshakes with `endpoint` offering only `version`. A bad certificate does not end the handshake (a TLS 1.0
 * server with a bad certificate still accepted TLS 1.0); it is reported, verified against `ca` when given (tests).
 */
export function handshake(endpoint: Endpoint, version: tls.SecureVersion, ca?: string | Buffer): Promise<Handshake> {
    return new Promise((resolve) => {
        const socket = tls.connect({
            host: endpoint.host,
            port: endpoint.port,
            servername: /^[\d.]+$|:/.test(endpoint.host) ? undefined : endpoint.host,
            minVersion: version,
            maxVersion: version,
            ...(version === "TLSv1" || version === "TLSv1.1" ? { ciphers: "DEFAULT:@SECLEVEL=0" } : {}),
            ...(ca === undefined ? {} : { ca }),
            rejectUnauthorized: false,
            timeout: TIMEOUT_MS,
        }, () => {
            const certificateError = socket.authorized ? undefined : String(socket.authorizationError);
            resolve({ outcome: "accepted", protocol: socket.getProtocol() ?? "unknown", ...(certificateError === undefined ? {} : { certificateError }) });
            socket.destroy();
        });
        socket.on("timeout", () => {
            resolve({ outcome: "inconclusive", reason: `no answer within ${TIMEOUT_MS / 1000} s` });
            socket.destroy();
        });
        socket.on("error", (error: NodeJS.ErrnoException) => resolve(classify(error)));
    });
}

function classify(error: NodeJS.ErrnoException): Handshake {
    const code = error.code ?? "";
    if (code === "ERR_SSL_NO_PROTOCOLS_AVAILABLE") {
        return { outcome: "inconclusive", reason: "this Node's OpenSSL cannot offer that version, so the probe proves nothing" };
    }
    // An alert (protocol_version 70, handshake_failure 40) or a version the server will not speak; some servers reset.
    if (code.startsWith("ERR_SSL_") || code === "ECONNRESET") {
        const alert = /alert number \d+/.exec(error.message)?.[0];
        return { outcome: "refused", reason: alert === undefined ? code : `${code} (${alert})` };
    }
    return { outcome: "inconclusive", reason: `${code === "" ? "" : `${code}: `}${error.message}` };
}
