/**
 * AWS Signature Version 4 for one kind of request: a POST of a body to a service's root path, no query string, as the
 * JSON protocol's operations are (Secrets Manager's GetSecretValue). About 40 lines of node:crypto in place of the
 * AWS SDK, whose client the facade would load on every cold start ("Create a signed AWS API request",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html). Checked against AWS's SigV4 test
 * suite (tests/facadeStateKey.test.ts).
 */
import { createHash, createHmac } from "node:crypto";

export interface AwsCredentials {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    /** Temporary credentials' token (a Lambda function's role); signed as X-Amz-Security-Token. */
    readonly sessionToken?: string;
}

export interface SigningScope {
    readonly region: string;
    /** The signing name, e.g. "secretsmanager". */
    readonly service: string;
}

const sha256 = (data: string): string => createHash("sha256").update(data, "utf8").digest("hex");
const hmac = (key: string | Buffer, data: string): Buffer => createHmac("sha256", key).update(data, "utf8").digest();

/** `20150830T123600Z`: ISO 8601 basic format, UTC, whole seconds. */
export function amzDate(now: number): string {
    return new Date(now).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/**
 * The headers to send with a POST of `body` to `url` (its path as given, no query): `headers` plus Host, X-Amz-Date,
 * X-Amz-Security-Token (with temporary credentials) and Authorization. Every header sent is signed.
 */
export function signPost(url: URL, headers: Readonly<Record<string, string>>, body: string, credentials: AwsCredentials, scope: SigningScope, now: number): Record<string, string> {
    const date = amzDate(now);
    const all: Record<string, string> = { host: url.host, "x-amz-date": date };
    for (const [name, value] of Object.entries(headers)) {
        all[name.toLowerCase()] = value;
    }
    if (credentials.sessionToken !== undefined) {
        all["x-amz-security-token"] = credentials.sessionToken;
    }
    const names = Object.keys(all).sort();
    const signedHeaders = names.join(";");
    // Canonical headers: lowercase names, values trimmed with inner runs of spaces collapsed, sorted by name.
    const canonicalHeaders = names.map((name) => `${name}:${all[name].trim().replace(/\s+/g, " ")}\n`).join("");
    const canonicalRequest = ["POST", url.pathname, "", canonicalHeaders, signedHeaders, sha256(body)].join("\n");
    const credentialScope = `${date.slice(0, 8)}/${scope.region}/${scope.service}/aws4_request`;
    const stringToSign = ["AWS4-HMAC-SHA256", date, credentialScope, sha256(canonicalRequest)].join("\n");
    const signingKey = [date.slice(0, 8), scope.region, scope.service, "aws4_request"]
        .reduce<Buffer | string>((key, part) => hmac(key, part), `AWS4${credentials.secretAccessKey}`);
    const signature = hmac(signingKey, stringToSign).toString("hex");
    return {
        ...all,
        authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${credentialScope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    };
}
