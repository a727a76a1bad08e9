/**
 * The facade's state key, read from Secrets Manager at a cold start: the SigV4 signature against AWS's published test
 * suite, the GetSecretValue request, its failures (named, never quoting a credential or the key), and the handler
 * that loads once per cold start, answers 500 on a failed load and tries again on the next request.
 */
import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createLambdaHandler, settingsFromEnvironment } from "../handler/facade";
import { FACADE_PATHS } from "../handler/facade/paths";
import { facadeEnvironment, type FacadeSettings } from "../handler/facade/settings";
import { signPost } from "../handler/facade/sigv4";
import { readSecretString, secretsManagerEndpoint, type Post } from "../handler/facade/stateKeySecret";
import { logSink } from "../handler/log";
import { API_URL, getEvent, HOSTED_UI, pkcePair, settingsFor, SHADOW_CLIENT_ID, STATIC_CLIENT_ID, STATIC_REDIRECT } from "./facadeFixtures";

const ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:gpt-action-oauth-state-key-AbCdEf";
const VERSION = "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111";
const CREDENTIALS = { AWS_ACCESS_KEY_ID: "ASIAEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret-access-key-example", AWS_SESSION_TOKEN: "session-token-example" };

/**
 * AWS's SigV4 test suite ("aws-sig-v4-test-suite", linked from "Create a signed AWS API request", IAM User Guide; the
 * same vectors as aws/aws-sdk-js-v3 packages/signature-v4/src/suite.fixture.ts): its POST cases, which are the only
 * requests this signer makes. Credentials AKIDEXAMPLE, 2015-08-30T12:36:00Z, us-east-1, service "service".
 */
const SUITE = {
    url: new URL("https://example.amazonaws.com/"),
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
    scope: { region: "us-east-1", service: "service" },
    now: Date.parse("2015-08-30T12:36:00Z"),
};
const SUITE_TOKEN = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";
const SUITE_CASES: Array<{ name: string; headers: Record<string, string>; body: string; token?: string; signedHeaders: string; signature: string }> = [
    { name: "post-vanilla", headers: {}, body: "", signedHeaders: "host;x-amz-date", signature: "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b" },
    { name: "post-header-key-sort", headers: { "My-Header1": "value1" }, body: "", signedHeaders: "host;my-header1;x-amz-date", signature: "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c" },
    { name: "post-header-value-case", headers: { "My-Header1": "VALUE1" }, body: "", signedHeaders: "host;my-header1;x-amz-date", signature: "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d" },
    {
        name: "post-x-www-form-urlencoded", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "Param1=value1",
        signedHeaders: "content-type;host;x-amz-date", signature: "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
    },
    {
        name: "post-x-www-form-urlencoded-parameters", headers: { "Content-Type": "application/x-www-form-urlencoded; charset=utf8" }, body: "Param1=value1",
        signedHeaders: "content-type;host;x-amz-date", signature: "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe",
    },
    {
        name: "post-sts-token/post-sts-header-before", headers: {}, body: "", token: SUITE_TOKEN,
        signedHeaders: "host;x-amz-date;x-amz-security-token", signature: "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead",
    },
];

interface Captured { readonly url: string; readonly body: string; readonly headers: Readonly<Record<string, string>> }

/** A POST that records each request and answers `status` with `body`. */
function fakePost(status: number, body: unknown, captured: Captured[] = []): Post {
    return (url, headers, sent) => {
        captured.push({ url: url.toString(), body: sent, headers });
        return Promise.resolve({ status, body: typeof body === "string" ? body : JSON.stringify(body) });
    };
}

async function failure(promise: Promise<unknown>): Promise<string> {
    try {
        await promise;
    } catch (error) {
        return String(error);
    }
    throw new Error("expected a failure");
}

describe("OAuth facade's state key (Secrets Manager)", () => {
    describe("SigV4 (AWS's test suite)", () => {
        for (const vector of SUITE_CASES) {
            it(`signs ${vector.name} as the suite does`, () => {
                const headers = signPost(SUITE.url, vector.headers, vector.body, { ...SUITE.credentials, sessionToken: vector.token }, SUITE.scope, SUITE.now);
                expect(headers.authorization).to.equal(`AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=${vector.signedHeaders}, Signature=${vector.signature}`);
                expect(headers["x-amz-date"]).to.equal("20150830T123600Z");
            });
        }

        it("trims and collapses header values before signing, as the suite's get-header-value-trim requires", () => {
            const padded = signPost(SUITE.url, { "My-Header1": "  value1  " }, "", SUITE.credentials, SUITE.scope, SUITE.now);
            expect(padded.authorization).to.match(/Signature=c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c$/);
        });
    });

    describe("GetSecretValue", () => {
        it("posts the secret's ARN to its region's endpoint with the JSON protocol's headers, signed with the function's temporary credentials", async () => {
            const captured: Captured[] = [];
            const now = Date.parse("2026-12-06T17:00:00Z");
            const value = await readSecretString(ARN, CREDENTIALS, { post: fakePost(200, { ARN, SecretString: "the-key" }, captured), now: () => now });
            expect(value).to.equal("the-key");
            expect(captured).to.have.lengthOf(1);
            const [{ url, body, headers }] = captured;
            expect(url).to.equal("https://secretsmanager.eu-west-1.amazonaws.com/");
            expect(JSON.parse(body)).to.deep.equal({ SecretId: ARN });
            const pinned: Captured[] = [];
            await readSecretString(ARN, CREDENTIALS, { versionId: VERSION, post: fakePost(200, { ARN, SecretString: "the-key" }, pinned) });
            expect(JSON.parse(pinned[0].body)).to.deep.equal({ SecretId: ARN, VersionId: VERSION });
            expect(headers).to.include({
                "content-type": "application/x-amz-json-1.1",
                "x-amz-target": "secretsmanager.GetSecretValue",
                "x-amz-date": "20261206T170000Z",
                "x-amz-security-token": "session-token-example",
            });
            expect(headers).to.not.have.property("host");
            // The same signature the signer gives for that request (the signer itself is checked against AWS's suite above).
            const expected = signPost(new URL(url), { "content-type": "application/x-amz-json-1.1", "x-amz-target": "secretsmanager.GetSecretValue" }, body,
                { accessKeyId: "ASIAEXAMPLE", secretAccessKey: "secret-access-key-example", sessionToken: "session-token-example" }, { region: "eu-west-1", service: "secretsmanager" }, now);
            expect(headers.authorization).to.equal(expected.authorization)
                .and.match(/^AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE\/20261206\/eu-west-1\/secretsmanager\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=[0-9a-f]{64}$/);
        });

        it("names the endpoint of each partition from the ARN, and takes an override only over https or on 127.0.0.1", () => {
            expect(String(secretsManagerEndpoint(ARN).url)).to.equal("https://secretsmanager.eu-west-1.amazonaws.com/");
            expect(String(secretsManagerEndpoint("arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:k-AbCdEf").url)).to.equal("https://secretsmanager.cn-north-1.amazonaws.com.cn/");
            expect(String(secretsManagerEndpoint("arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:k-AbCdEf").url)).to.equal("https://secretsmanager.us-gov-west-1.amazonaws.com/");
            expect(secretsManagerEndpoint(ARN, "http://127.0.0.1:4566/").region).to.equal("eu-west-1");
            expect(() => secretsManagerEndpoint(ARN, "http://sm.example.com/")).to.throw(/https \(or http on 127.0.0.1\)/);
            expect(() => secretsManagerEndpoint("arn:aws:ssm:eu-west-1:123456789012:parameter/k")).to.throw(/not a Secrets Manager secret ARN/);
        });

        it("fails with the error's type, never a credential, and without credentials or a SecretString", async () => {
            const denied = await failure(readSecretString(ARN, CREDENTIALS, { post: fakePost(400, { __type: "AccessDeniedException", message: `not allowed on ${ARN}` }) }));
            expect(denied).to.match(/Secrets Manager answered 400 \(AccessDeniedException\)/);
            for (const value of Object.values(CREDENTIALS)) {
                expect(denied).to.not.include(value);
            }
            expect(await failure(readSecretString(ARN, {}, { post: fakePost(200, {}) }))).to.match(/no AWS credentials/);
            expect(await failure(readSecretString(ARN, CREDENTIALS, { post: fakePost(200, "<html>") }))).to.match(/not JSON/);
            expect(await failure(readSecretString(ARN, CREDENTIALS, { post: fakePost(200, { ARN, SecretBinary: "AAAA" }) }))).to.match(/no SecretString/);
        });
    });

    describe("the Lambda handler", () => {
        let lines: string[];
        let write: typeof logSink.write;
        beforeEach(() => {
            lines = [];
            write = logSink.write;
            logSink.write = (line) => void lines.push(line);
        });
        afterEach(() => {
            logSink.write = write;
        });

        const authorizeEvent = () => getEvent(FACADE_PATHS.authorize, {
            response_type: "code", client_id: STATIC_CLIENT_ID, redirect_uri: STATIC_REDIRECT, code_challenge: pkcePair().challenge, code_challenge_method: "S256",
        });

        it("loads its settings once per cold start, and keeps them for the instance's life", async () => {
            let loads = 0;
            const settings = settingsFor([]);
            const handler = createLambdaHandler(() => {
                loads++;
                return Promise.resolve(settings);
            });
            const results = await Promise.all([handler(authorizeEvent()), handler(authorizeEvent())]);
            results.push(await handler(authorizeEvent()));
            expect(results.map((r) => r.statusCode)).to.deep.equal([302, 302, 302]);
            expect(loads).to.equal(1);
        });

        it("answers 500 misconfigured when the load fails, never throws, and tries again on the next request", async () => {
            let loads = 0;
            const handler = createLambdaHandler(() => {
                loads++;
                return loads === 1 ? Promise.reject(new Error("Secrets Manager answered 400 (ThrottlingException)")) : Promise.resolve(settingsFor([]));
            });
            const failed = await handler(authorizeEvent());
            expect(failed.statusCode).to.equal(500);
            expect(JSON.parse(failed.body)).to.deep.equal({ error: "server_error", error_description: "The sign-in service is misconfigured." });
            expect(lines.join("\n")).to.include("ThrottlingException");
            expect((await handler(authorizeEvent())).statusCode).to.equal(302);
            expect((await handler(authorizeEvent())).statusCode).to.equal(302);
            expect(loads).to.equal(2);
            // A loader that throws instead of rejecting is answered the same way.
            const throwing = createLambdaHandler(() => {
                throw new Error("FACADE_ISSUER is not set");
            });
            expect((await throwing(authorizeEvent())).statusCode).to.equal(500);
        });

        it("reads the key named by its environment from Secrets Manager, then serves with it", async () => {
            const key = randomBytes(32).toString("base64url");
            let requests = 0;
            const server = createServer((req, res) => {
                requests++;
                let body = "";
                req.on("data", (chunk: Buffer) => body += chunk.toString()).on("end", () => {
                    const sent = JSON.parse(body) as { SecretId: string; VersionId?: string };
                    const ok = req.headers["x-amz-target"] === "secretsmanager.GetSecretValue" && sent.SecretId === ARN && sent.VersionId === VERSION
                        && /Credential=ASIAEXAMPLE\/\d{8}\/eu-west-1\/secretsmanager\/aws4_request/.test(req.headers.authorization ?? "");
                    res.writeHead(ok ? 200 : 400, { "Content-Type": "application/x-amz-json-1.1" }).end(JSON.stringify(ok ? { ARN, SecretString: key } : { __type: "ValidationException" }));
                });
            });
            await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
            try {
                const env = {
                    ...facadeEnvironment({
                        apiUrl: API_URL,
                        cognito: { authorizationEndpoint: `${HOSTED_UI}/oauth2/authorize`, tokenEndpoint: `${HOSTED_UI}/oauth2/token`, revocationEndpoint: `${HOSTED_UI}/oauth2/revoke` },
                        shadowClientId: SHADOW_CLIENT_ID,
                        stateKeySecretArn: ARN,
                        stateKeyVersionId: VERSION,
                        staticClients: { [STATIC_CLIENT_ID]: [STATIC_REDIRECT] },
                    }),
                    ...CREDENTIALS,
                    AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
                };
                const settings: FacadeSettings = await settingsFromEnvironment(env);
                expect(settings.stateKey.toString("base64url")).to.equal(key);
                const handler = createLambdaHandler(() => settingsFromEnvironment(env));
                expect((await handler(authorizeEvent())).statusCode).to.equal(302);
                expect((await handler(authorizeEvent())).statusCode).to.equal(302);
                expect(requests).to.equal(2);
                // Nothing logged names the key.
                expect(lines.join("\n")).to.not.include(key);
            } finally {
                server.close();
            }
        });
    });
});
