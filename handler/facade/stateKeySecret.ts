/**
 * Reads the facade's state key from AWS Secrets Manager once per cold start: one GetSecretValue, signed with the
 * function's own credentials (sigv4.ts), over node:https. No SDK, whose client costs ~135 ms of CPU to load, and
 * not fetch, whose first use loads undici: about twice node:https's cost on the cold path
 * (docs/facade-key-and-waf.md has the numbers and the options weighed).
 */
import * as http from "node:http";
import * as https from "node:https";
import { signPost, type AwsCredentials } from "./sigv4";

/** Slow enough for a cold TLS handshake in the region, short against the function's 15 s timeout. */
const SECRET_TIMEOUT_MS = 3000;

/** GetSecretValue's answer is a few hundred bytes (a SecretString holds at most 64 KB). */
const MAX_ANSWER_BYTES = 128 * 1024;

export interface PostAnswer {
    readonly status: number;
    readonly body: string;
}

/** POSTs `body` to `url` with `headers`; injectable for tests. */
export type Post = (url: URL, headers: Readonly<Record<string, string>>, body: string) => Promise<PostAnswer>;

/** The environment a Lambda function gets ("Defined runtime environment variables", AWS Lambda Developer Guide). */
export interface SecretEnvironment {
    readonly AWS_ACCESS_KEY_ID?: string;
    readonly AWS_SECRET_ACCESS_KEY?: string;
    readonly AWS_SESSION_TOKEN?: string;
    /**
     * The AWS SDKs' service-specific endpoint override ("Service-specific endpoints", AWS SDKs and Tools Reference
     * Guide), honoured for the bench's local Secrets Manager; https, or http on 127.0.0.1 only, since the request
     * carries the session token.
     */
    readonly AWS_ENDPOINT_URL_SECRETS_MANAGER?: string;
}

export interface SecretReadOptions {
    /** The version to read; default the current one (AWSCURRENT). */
    readonly versionId?: string;
    readonly post?: Post;
    readonly now?: () => number;
}

/** The secret's region and endpoint, from its ARN (`arn:<partition>:secretsmanager:<region>:<account>:secret:<name>`). */
export function secretsManagerEndpoint(secretArn: string, override?: string): { readonly url: URL; readonly region: string } {
    const match = /^arn:(aws|aws-us-gov|aws-cn):secretsmanager:([a-z0-9-]+):\d{12}:secret:[^\s]+$/.exec(secretArn);
    if (match === null) {
        throw new Error("the state key's secret ARN is not a Secrets Manager secret ARN");
    }
    const [, partition, region] = match;
    if (override !== undefined && override !== "") {
        const url = new URL(override);
        if (url.protocol !== "https:" && !(url.protocol === "http:" && url.hostname === "127.0.0.1")) {
            throw new Error("AWS_ENDPOINT_URL_SECRETS_MANAGER must be https (or http on 127.0.0.1)");
        }
        return { url, region };
    }
    // "AWS Secrets Manager endpoints and quotas" (AWS General Reference): secretsmanager.<region>.<partition's domain>.
    return { url: new URL(`https://secretsmanager.${region}.${partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com"}/`), region };
}

/**
 * The SecretString of the current version of `secretArn` (GetSecretValue, Secrets Manager API Reference: POST /,
 * `X-Amz-Target: secretsmanager.GetSecretValue`, `Content-Type: application/x-amz-json-1.1`). Throws a message
 * that names what failed, never a credential or the secret.
 */
export async function readSecretString(secretArn: string, env: SecretEnvironment, options: SecretReadOptions = {}): Promise<string> {
    const { url, region } = secretsManagerEndpoint(secretArn, env.AWS_ENDPOINT_URL_SECRETS_MANAGER);
    if (env.AWS_ACCESS_KEY_ID === undefined || env.AWS_SECRET_ACCESS_KEY === undefined) {
        throw new Error("no AWS credentials in the environment");
    }
    const credentials: AwsCredentials = { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN };
    const body = JSON.stringify({ SecretId: secretArn, VersionId: options.versionId });
    const signed = signPost(url, { "content-type": "application/x-amz-json-1.1", "x-amz-target": "secretsmanager.GetSecretValue" }, body, credentials,
        { region, service: "secretsmanager" }, (options.now ?? Date.now)());
    // Node sets Host itself, from the same URL.
    const headers = Object.fromEntries(Object.entries(signed).filter(([name]) => name !== "host"));
    const answer = await (options.post ?? post)(url, headers, body);
    const text = answer.body;
    if (answer.status !== 200) {
        // The error's type only (e.g. AccessDeniedException, ResourceNotFoundException): its message may quote the ARN, never the value.
        const type = /"__type"\s*:\s*"(?:[^"#]*#)?([A-Za-z]+)"/.exec(text)?.[1] ?? "unknown error";
        throw new Error(`Secrets Manager answered ${answer.status} (${type})`);
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch {
        throw new Error("Secrets Manager's answer is not JSON");
    }
    const value = typeof parsed === "object" && parsed !== null ? (parsed as { SecretString?: unknown }).SecretString : undefined;
    if (typeof value !== "string") {
        throw new Error("the secret has no SecretString");
    }
    return value;
}

/** One POST over node:https (node:http for the loopback override); no redirects followed, a size and a time limit. */
function post(url: URL, headers: Readonly<Record<string, string>>, body: string): Promise<PostAnswer> {
    return new Promise((resolve, reject) => {
        const req = (url.protocol === "https:" ? https : http).request(url, {
            method: "POST",
            headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
            signal: AbortSignal.timeout(SECRET_TIMEOUT_MS),
        }, (res) => {
            const chunks: Buffer[] = [];
            let size = 0;
            res.on("data", (chunk: Buffer) => {
                size += chunk.length;
                if (size > MAX_ANSWER_BYTES) {
                    req.destroy(new Error("Secrets Manager's answer is too large"));
                }
                chunks.push(chunk);
            });
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
            res.on("error", reject);
        });
        req.on("error", (error) => reject(error.name === "AbortError" ? new Error(`Secrets Manager did not answer within ${SECRET_TIMEOUT_MS} ms`) : error));
        req.end(body);
    });
}
