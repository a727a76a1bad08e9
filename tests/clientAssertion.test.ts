/**
 * private_key_jwt at the facade's token and revocation endpoints (issue 20, item 1): ChatGPT's and Claude's documents
 * as they publish them are accepted, and each attack on a client assertion is a test: another key, the wrong `aud`,
 * expired, `alg: none`, HS256 keyed with the public key, a missing or reused `jti`, `exp` too far ahead, a `jwks_uri`
 * on another host.
 */
import type { APIGatewayProxyResult } from "aws-lambda";
import { expect } from "chai";
import { createHmac, randomUUID } from "node:crypto";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as nodePath from "node:path";
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from "jose";
import { ASSERTION_ALGORITHMS, JWT_BEARER_ASSERTION } from "../handler/facade/clientAuthMethods";
import type { createFacadeHandler, FacadeHandler } from "../handler/facade";
import { checkDocument } from "../handler/facade/clientDocuments";
import { FACADE_PATHS, facadeUrls } from "../handler/facade/paths";
import type { FacadeSettings } from "../handler/facade/settings";
import { logSink } from "../handler/log";
import { bundleHandler } from "../infra/bundle";
import { authorizationServerMetadata } from "../infra/mcpMetadata";
import { FACADE_ENTRY } from "../infra/oauthFacade";
import {
    answerConsent, API_URL, chatGptDocument, claudeDocument, CLIENT_REDIRECT, documentHost, facadeFor, fakeCognito, getEvent, location, pkcePair, postEvent, RESOURCE, SCOPE,
    serveJson, settingsFor, SHADOW_CLIENT_ID, type DocumentHost, type Forwarded,
} from "./facadeFixtures";

const TOKEN_URL = facadeUrls(API_URL).token;

interface KeyPair {
    readonly privateKey: CryptoKey;
    readonly publicKey: CryptoKey;
    readonly publicJwk: JWK;
}

async function keyPair(alg: string, kid: string): Promise<KeyPair> {
    const { privateKey, publicKey } = await generateKeyPair(alg);
    return { privateKey, publicKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" } };
}

describe("OAuth facade: private_key_jwt client assertions", () => {
    let host: DocumentHost;
    let otherHost: DocumentHost;
    let jwks: { keys: JWK[] };
    let rsa: KeyPair;
    let ec: KeyPair;
    let chatGpt: string;
    let keyOnly: string;
    let claude: string;
    let elsewhere: string;
    let settings: FacadeSettings;
    let now: number;
    let cognito: ReturnType<typeof fakeCognito>;
    let logs: string[];
    let restoreLogs: () => void;

    before(async () => {
        rsa = await keyPair("RS256", "rsa-1");
        ec = await keyPair("ES256", "ec-1");
        host = await documentHost((req, res) => {
            if (req.url === "/oauth/jwks.json") {
                res.writeHead(200, { "Content-Type": "application/jwk-set+json" });
                res.end(JSON.stringify(jwks));
                return;
            }
            serveJson((url) => {
                const jwksUri = `${host.origin}/oauth/jwks.json`;
                if (url === chatGpt) {
                    return { ...chatGptDocument(url, jwksUri), token_endpoint_auth_signing_alg: undefined };
                }
                if (url === keyOnly) {
                    return { ...chatGptDocument(url, jwksUri), token_endpoint_auth_methods_supported: undefined };
                }
                if (url === elsewhere) {
                    return chatGptDocument(url, `${otherHost.origin}/oauth/jwks.json`);
                }
                return claudeDocument(url);
            })(req, res);
        });
        otherHost = await documentHost((_req, res) => {
            res.writeHead(200, { "Content-Type": "application/json" });
            res.end(JSON.stringify(jwks));
        });
        chatGpt = `${host.origin}/oauth/abc123/client.json`;
        keyOnly = `${host.origin}/oauth/key-only/client.json`;
        claude = `${host.origin}/oauth/mcp-oauth-client-metadata`;
        elsewhere = `${host.origin}/oauth/elsewhere/client.json`;
    });
    after(async () => {
        await host.close();
        await otherHost.close();
    });
    beforeEach(() => {
        jwks = { keys: [rsa.publicJwk, ec.publicJwk] };
        now = Date.now();
        settings = { ...settingsFor([]), clientMetadataUrls: [chatGpt, keyOnly, claude, elsewhere] };
        cognito = fakeCognito();
        handler = undefined;
        const write = logSink.write;
        logs = [];
        logSink.write = (line) => void logs.push(line);
        restoreLogs = () => void (logSink.write = write);
    });
    afterEach(() => restoreLogs());

    let handler: FacadeHandler | undefined;
    /** One facade per test, as one warm instance: its key sets and the jti it has seen persist across requests. */
    const facade = (): FacadeHandler => (handler ??= facadeFor(settings, { clock: () => now, post: cognito.post }));
    const seconds = () => Math.floor(now / 1000);

    /** A client assertion as RFC 7523 §3 wants it, signed with `key`; `claims` overrides (undefined drops a claim). */
    async function assertion(clientId: string, claims: Record<string, unknown> = {}, key: KeyPair = ec, alg = "ES256"): Promise<string> {
        const payload: JWTPayload = Object.fromEntries(Object.entries({
            iss: clientId, sub: clientId, aud: API_URL, iat: seconds(), exp: seconds() + 120, jti: randomUUID(), ...claims,
        }).filter(([, v]) => v !== undefined));
        return new SignJWT(payload).setProtectedHeader({ alg, kid: key.publicJwk.kid, typ: "JWT" }).sign(key.privateKey);
    }

    /** authorize → consent (Allow) → callback: a code for `clientId`, and its verifier. */
    async function code(clientId: string, redirectUri = CLIENT_REDIRECT): Promise<{ code: string; verifier: string }> {
        const { verifier, challenge } = pkcePair();
        const toCognito = location(await answerConsent(facade(), await facade()(getEvent(FACADE_PATHS.authorize, {
            response_type: "code", client_id: clientId, redirect_uri: redirectUri, scope: SCOPE, state: "s", code_challenge: challenge, code_challenge_method: "S256", resource: RESOURCE,
        }))));
        const back = location(await facade()(getEvent(FACADE_PATHS.callback, { code: "cognito-code", state: toCognito.searchParams.get("state") ?? "" })));
        return { code: back.searchParams.get("code") ?? "", verifier };
    }

    const redeem = (clientId: string | undefined, grant: { code: string; verifier: string }, credentials: Record<string, string> = {}) => facade()(postEvent(FACADE_PATHS.token, {
        grant_type: "authorization_code", code: grant.code, code_verifier: grant.verifier, redirect_uri: CLIENT_REDIRECT,
        ...(clientId === undefined ? {} : { client_id: clientId }), ...credentials,
    }));
    const withAssertion = (jwt: string) => ({ client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: jwt });

    function expectInvalidClient(result: APIGatewayProxyResult, reason: RegExp): void {
        expect(result.statusCode, result.body).to.equal(401);
        const body = JSON.parse(result.body) as { error: string; error_description: string };
        expect(body.error).to.equal("invalid_client");
        expect(body.error_description).to.match(reason);
    }

    /** A token request with `jwt`, refused before any code is looked at. */
    const tryAssertion = async (clientId: string, jwt: string) => redeem(clientId, { code: "not-a-code", verifier: "v" }, withAssertion(jwt));

    describe("documents as clients publish them", () => {
        it("accepts ChatGPT's document (private_key_jwt preferred, none listed) and Claude's (an extension grant among its grant types)", () => {
            const jwksUri = "https://chatgpt.com/oauth/jwks.json";
            expect(checkDocument("https://chatgpt.com/oauth/client.json", chatGptDocument("https://chatgpt.com/oauth/client.json", jwksUri))).to.deep.include({
                authMethods: ["private_key_jwt", "none"], jwksUri, signingAlg: "RS256",
            });
            const claudeUrl = "https://claude.ai/oauth/mcp-oauth-client-metadata";
            expect(checkDocument(claudeUrl, claudeDocument(claudeUrl))).to.deep.equal({
                clientId: claudeUrl, redirectUris: ["https://claude.ai/api/mcp/auth_callback", "https://claude.com/api/mcp/auth_callback"], clientName: "Claude", authMethods: ["none"],
            });
        });

        it("refuses a document whose jwks_uri is on another host, or which names private_key_jwt without one, or an HMAC signing alg", async () => {
            const url = "https://chatgpt.com/oauth/client.json";
            for (const jwksUri of ["https://chatgpt.com.evil.example/oauth/jwks.json", "https://evil.example/jwks.json", "http://chatgpt.com/oauth/jwks.json",
                "https://chatgpt.com:8443/oauth/jwks.json", "https://user@chatgpt.com/oauth/jwks.json", "not a url"]) {
                expect(() => checkDocument(url, chatGptDocument(url, jwksUri)), jwksUri).to.throw(/jwks_uri/);
            }
            expect(() => checkDocument(url, { ...chatGptDocument(url, ""), jwks_uri: undefined })).to.throw(/without a jwks_uri/);
            expect(() => checkDocument(url, { ...chatGptDocument(url, "https://chatgpt.com/oauth/jwks.json"), token_endpoint_auth_signing_alg: "HS256" })).to.throw(/signing_alg must be one of/);
            expect(() => checkDocument(url, { ...chatGptDocument(url, "https://chatgpt.com/oauth/jwks.json"), token_endpoint_auth_method: "client_secret_jwt" })).to.throw(/none or private_key_jwt/);
            // Over HTTP: the document that points at another host's keys cannot be used at all.
            expectInvalidClient(await tryAssertion(elsewhere, await assertion(elsewhere)), /jwks_uri must be on the client_id URL's own host/);
            expect(otherHost.requests).to.have.lengthOf(0);
        });

        it("advertises private_key_jwt and the asymmetric algorithms at the token and revocation endpoints", () => {
            const metadata = authorizationServerMetadata(API_URL, SCOPE, "https://cognito.example/jwks.json") as Record<string, unknown>;
            for (const field of ["token_endpoint_auth_methods_supported", "revocation_endpoint_auth_methods_supported"]) {
                expect(metadata[field], field).to.include.members(["private_key_jwt", "none"]);
            }
            for (const field of ["token_endpoint_auth_signing_alg_values_supported", "revocation_endpoint_auth_signing_alg_values_supported"]) {
                expect(metadata[field], field).to.deep.equal(ASSERTION_ALGORITHMS).and.include("RS256").and.not.include("none").and.not.include("HS256");
            }
        });
    });

    describe("a valid assertion", () => {
        it("redeems a code, refreshes and revokes for ChatGPT's document, forwarding no assertion to Cognito", async () => {
            const grant = await code(chatGpt);
            const tokens = await redeem(chatGpt, grant, withAssertion(await assertion(chatGpt)));
            expect(tokens.statusCode, tokens.body).to.equal(200);
            const refreshToken = (JSON.parse(tokens.body) as { refresh_token: string }).refresh_token;
            const refreshed = await facade()(postEvent(FACADE_PATHS.token, { grant_type: "refresh_token", refresh_token: refreshToken, client_id: chatGpt, ...withAssertion(await assertion(chatGpt, { aud: TOKEN_URL }, rsa, "RS256")) }));
            expect(refreshed.statusCode, refreshed.body).to.equal(200);
            const revoked = await facade()(postEvent(FACADE_PATHS.revoke, { token: refreshToken, client_id: chatGpt, ...withAssertion(await assertion(chatGpt)) }));
            expect(revoked.statusCode, revoked.body).to.equal(200);
            expect(cognito.forwarded.map((f: Forwarded) => f.form.client_id)).to.deep.equal([SHADOW_CLIENT_ID, SHADOW_CLIENT_ID, SHADOW_CLIENT_ID]);
            for (const forwarded of cognito.forwarded) {
                expect(forwarded.form).to.not.have.any.keys("client_assertion", "client_assertion_type");
            }
            expect(logs.join("\n"), "no assertion or token in the logs").to.not.match(/eyJ|cognito-refresh/);
        });

        it("names the client by its sub when the form carries no client_id (RFC 7521 §4.2)", async () => {
            const tokens = await redeem(undefined, await code(chatGpt), withAssertion(await assertion(chatGpt)));
            expect(tokens.statusCode, tokens.body).to.equal(200);
        });

        it("lets ChatGPT's document choose none (it lists none), but not a document that names private_key_jwt alone", async () => {
            expect((await redeem(chatGpt, await code(chatGpt))).statusCode).to.equal(200);
            expectInvalidClient(await redeem(keyOnly, await code(keyOnly)), /names private_key_jwt: send client_assertion_type/);
            expectInvalidClient(await facade()(postEvent(FACADE_PATHS.revoke, { token: "t", client_id: keyOnly })), /names private_key_jwt/);
            expect(cognito.forwarded.filter((f) => f.form.client_id !== SHADOW_CLIENT_ID)).to.have.lengthOf(0);
        });

        it("refuses an assertion from a client whose document names none, and a secret from any document's client", async () => {
            expectInvalidClient(await tryAssertion(claude, await assertion(claude)), /names token_endpoint_auth_method none/);
            expectInvalidClient(await redeem(chatGpt, await code(chatGpt), { client_secret: "s" }), /has no secret/);
        });

        it("takes a rotated key: a kid the cached set lacks refetches it, at most once a minute", async () => {
            expect((await tryAssertion(chatGpt, await assertion(chatGpt))).statusCode, "authenticated, then the bogus code fails").to.equal(400);
            const rotated = await keyPair("ES256", "ec-2");
            jwks = { keys: [rotated.publicJwk] };
            expectInvalidClient(await tryAssertion(chatGpt, await assertion(chatGpt, {}, rotated)), /no key of the client's key set matches/);
            now += 61_000;
            expect((await tryAssertion(chatGpt, await assertion(chatGpt, {}, rotated))).statusCode).to.equal(400);
        });
    });

    describe("attacks", () => {
        it("refuses an assertion signed by another key under the published kid", async () => {
            const impostor = await keyPair("ES256", "ec-1");
            expectInvalidClient(await tryAssertion(chatGpt, await assertion(chatGpt, {}, impostor)), /signature does not verify/);
        });

        it("refuses the wrong aud: another server, the issuer with a slash, a path under the token endpoint, none at all", async () => {
            for (const aud of ["https://other-server.example", `${API_URL}/`, `${TOKEN_URL}/x`, undefined]) {
                expectInvalidClient(await tryAssertion(chatGpt, await assertion(chatGpt, { aud })), /aud claim/);
            }
        });

        it("refuses an expired assertion, one without exp, and one whose exp is more than five minutes ahead", async () => {
            expectInvalidClient(await tryAssertion(chatGpt, await assertion(chatGpt, { iat: seconds() - 600, exp: seconds() - 60 })), /expired/);
            expectInvalidClient(await tryAssertion(chatGpt, await assertion(chatGpt, { exp: undefined })), /exp claim/);
            expectInvalidClient(await tryAssertion(chatGpt, await assertion(chatGpt, { exp: seconds() + 3600 })), /more than 300 seconds ahead/);
        });

        it("refuses alg none and HS256 keyed with the client's public key (algorithm confusion)", async () => {
            const claims = { iss: chatGpt, sub: chatGpt, aud: API_URL, exp: seconds() + 60, jti: randomUUID() };
            const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
            expectInvalidClient(await tryAssertion(chatGpt, `${encode({ alg: "none", typ: "JWT" })}.${encode(claims)}.`), /alg must be one of/);
            const pem = await exportSPKI(rsa.publicKey);
            for (const secret of [pem, JSON.stringify(rsa.publicJwk), String(rsa.publicJwk.n)]) {
                const signingInput = `${encode({ alg: "HS256", kid: "rsa-1", typ: "JWT" })}.${encode({ ...claims, jti: randomUUID() })}`;
                const forged = `${signingInput}.${createHmac("sha256", secret).update(signingInput).digest("base64url")}`;
                expectInvalidClient(await tryAssertion(chatGpt, forged), /alg must be one of/);
            }
        });

        it("refuses an alg the document does not pin, when it pins one (token_endpoint_auth_signing_alg)", async () => {
            // keyOnly's document keeps ChatGPT's pin, RS256.
            expectInvalidClient(await tryAssertion(keyOnly, await assertion(keyOnly)), /alg must be one of RS256\.$/);
            expect((await tryAssertion(keyOnly, await assertion(keyOnly, {}, rsa, "RS256"))).statusCode).to.equal(400);
        });

        it("refuses a missing jti and a reused one while the assertion lives", async () => {
            expectInvalidClient(await tryAssertion(chatGpt, await assertion(chatGpt, { jti: undefined })), /jti claim/);
            const once = await assertion(chatGpt);
            expect((await tryAssertion(chatGpt, once)).statusCode, "first use authenticates").to.equal(400);
            expectInvalidClient(await tryAssertion(chatGpt, once), /already used/);
            const grant = await code(chatGpt);
            expectInvalidClient(await redeem(chatGpt, grant, withAssertion(once)), /already used/);
        });

        it("refuses an assertion whose iss or sub is another client, or that names a client other than the form's", async () => {
            expectInvalidClient(await tryAssertion(chatGpt, await assertion(chatGpt, { iss: keyOnly })), /iss claim/);
            expectInvalidClient(await tryAssertion(chatGpt, await assertion(keyOnly)), /iss claim/);
            expectInvalidClient(await tryAssertion(chatGpt, await assertion(chatGpt, { sub: keyOnly })), /sub claim/);
        });

        it("refuses a client_assertion_type other than jwt-bearer, and garbage for an assertion", async () => {
            expectInvalidClient(await redeem(chatGpt, { code: "c", verifier: "v" }, { client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:saml2-bearer", client_assertion: await assertion(chatGpt) }), /jwt-bearer/);
            expectInvalidClient(await tryAssertion(chatGpt, "not.a.jwt"), /not a signed JWT/);
            expectInvalidClient(await tryAssertion(chatGpt, "x".repeat(9000)), /over 8192 characters/);
        });
    });

    describe("the deployed bundle", () => {
        it("keeps jose in clientAssertion.js, loaded from the function's files on the first assertion, and verifies with it", async () => {
            const bundle = bundleHandler(FACADE_ENTRY);
            expect(Object.keys(bundle.files)).to.have.members(["index.js", "index.js.map", "clientAssertion.js", "clientAssertion.js.map"]);
            expect(bundle.code, "no jose in the facade's cold path").to.not.include("JWSSignatureVerificationFailed");
            const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), "gpt-action-facade-"));
            // The bundle logs through its own copy of handler/log.ts, straight to stdout: kept out of the test output.
            const write = process.stdout.write.bind(process.stdout);
            process.stdout.write = () => true;
            try {
                for (const [name, text] of Object.entries(bundle.files)) {
                    fs.writeFileSync(nodePath.join(dir, name), text);
                }
                const bundled = createRequire(__filename)(nodePath.join(dir, "index.js")) as { createFacadeHandler: typeof createFacadeHandler };
                handler = bundled.createFacadeHandler(settings, { clock: () => now, post: cognito.post, fetchOptions: () => ({ allowLoopbackHttp: true }) });
                expect((await tryAssertion(chatGpt, await assertion(chatGpt))).statusCode, "authenticated, then the bogus code fails").to.equal(400);
                expectInvalidClient(await tryAssertion(chatGpt, await assertion(chatGpt, {}, await keyPair("ES256", "ec-1"))), /signature does not verify/);
                expectInvalidClient(await tryAssertion(chatGpt, await assertion(chatGpt, { aud: "https://other.example" })), /aud claim/);
            } finally {
                process.stdout.write = write;
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });
    });
});
