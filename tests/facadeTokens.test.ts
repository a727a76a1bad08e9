/**
 * What the facade wraps, and how its token endpoints meet a browser: the code and refresh envelopes are encrypted
 * (AES-256-GCM under a key derived per kind from the state key), so Cognito's token inside can be neither read nor
 * redeemed elsewhere and a new state key ends them all; a refresh token Cognito rotates is passed on wrapped anew; and
 * /oauth/token and /oauth/revoke carry CORS as Cognito's own token endpoint, in the function and in the API document.
 */
import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { CORS_PATHS } from "../handler/facade/cors";
import { decrypt, encrypt } from "../handler/facade/encrypted";
import { openCode, openRefreshToken, sealCode, sealRefreshToken, sealState } from "../handler/facade/envelopes";
import { FACADE_PATHS } from "../handler/facade/paths";
import { apiLevelSettings, restApiDocument } from "../infra/restApiDocument";
import { routeList } from "../handler/routes";
import { CLIENT_REDIRECT, documentHost, facadeFor, fakeCognito, getEvent, pkcePair, postEvent, serveJson, settingsFor, SHADOW_CLIENT_ID, STATIC_CLIENT_ID, type DocumentHost } from "./facadeFixtures";
import { silenceLogs } from "./localMode";
import { logSink } from "../handler/log";
import { signInOf } from "../handler/facade/issued";

/** Silences the facade's request log lines for the enclosing describe (a root-level hook would silence every file's). */
function quietLogs(): void {
    let restore = (): void => undefined;
    before(() => {
        restore = silenceLogs();
    });
    after(() => restore());
}

/** About the size of a Cognito refresh token (an encrypted JWT), recognisable in any decoding. */
const COGNITO_REFRESH = `eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ.${"CognitoRefreshSecret".repeat(80)}`;
const CLIENT = "https://chatgpt.com/oauth/client.json";

/** `token` with one byte of its decoded bytes flipped at `index` (negative: from the end), re-encoded. */
function flipped(token: string, index: number): string {
    const bytes = Buffer.from(token, "base64url");
    const at = index < 0 ? bytes.length + index : index;
    bytes[at] ^= 0x01;
    return bytes.toString("base64url");
}

describe("the facade's envelopes", () => {
    const key = randomBytes(32);
    const now = Date.now();
    const sealed = sealRefreshToken(key, { clientId: CLIENT, cognitoRefreshToken: COGNITO_REFRESH });

    it("opens a refresh envelope under its key, to the client and Cognito token it wraps", () => {
        expect(openRefreshToken(key, sealed, now)).to.deep.equal({ ok: true, value: { clientId: CLIENT, cognitoRefreshToken: COGNITO_REFRESH } });
    });

    it("does not show Cognito's token, or the client it belongs to, in the envelope or its base64url decoding", () => {
        const decoded = Buffer.from(sealed, "base64url");
        for (const text of [sealed, decoded.toString("latin1"), decoded.toString("utf8")]) {
            expect(text).to.not.include("CognitoRefreshSecret");
            expect(text).to.not.include(COGNITO_REFRESH.slice(0, 40));
            expect(text).to.not.include("chatgpt.com");
        }
    });

    it("refuses a refresh envelope with a flipped byte in its nonce, its ciphertext or its tag", () => {
        const length = Buffer.from(sealed, "base64url").length;
        for (const [part, index] of [["nonce", 0], ["nonce", 11], ["ciphertext", 12], ["ciphertext", Math.floor(length / 2)], ["tag", -16], ["tag", -1]] as const) {
            expect(openRefreshToken(key, flipped(sealed, index), now), `${part} byte ${index}`).to.deep.equal({ ok: false, reason: "signature" });
        }
        // Truncated, extended, or spelled otherwise (the spare bits of the last character): malformed.
        expect(openRefreshToken(key, sealed.slice(0, -4), now).ok).to.be.false;
        expect(openRefreshToken(key, `${sealed}AA`, now).ok).to.be.false;
        expect(openRefreshToken(key, `${sealed}.x`, now)).to.deep.equal({ ok: false, reason: "malformed" });
        expect(openRefreshToken(key, "", now)).to.deep.equal({ ok: false, reason: "malformed" });
    });

    it("refuses an envelope sealed under another purpose's key or another state key", () => {
        const code = sealCode(key, { clientId: CLIENT, redirectUri: CLIENT_REDIRECT, cognitoCode: "cognito-code", codeChallenge: pkcePair().challenge }, now);
        expect(openRefreshToken(key, code, now).ok, "a code as a refresh token").to.be.false;
        expect(openCode(key, sealed, now).ok, "a refresh token as a code").to.be.false;
        // The same plaintext encrypted for another purpose does not open: the key and the associated data differ.
        expect(decrypt(key, "refresh", encrypt(key, "code", { c: CLIENT, k: COGNITO_REFRESH }, now + 60_000), now).ok).to.be.false;
        // A state is signed, not encrypted, and never opens as either.
        const state = sealState(key, { clientId: CLIENT, redirectUri: CLIENT_REDIRECT, codeChallenge: pkcePair().challenge }, now);
        expect(openRefreshToken(key, state, now).ok).to.be.false;
        expect(openCode(key, state, now).ok).to.be.false;
        // A rotated state key: every envelope of the old one is unreadable.
        expect(openRefreshToken(randomBytes(32), sealed, now)).to.deep.equal({ ok: false, reason: "signature" });
        expect(openCode(randomBytes(32), code, now)).to.deep.equal({ ok: false, reason: "signature" });
    });

    it("still expires a code (10 minutes) and requires its exp; a refresh envelope has none (Cognito expires the token)", () => {
        const code = sealCode(key, { clientId: CLIENT, redirectUri: CLIENT_REDIRECT, cognitoCode: "c", codeChallenge: "p" }, now);
        expect(openCode(key, code, now + 10 * 60_000 - 1000).ok).to.be.true;
        expect(openCode(key, code, now + 10 * 60_000)).to.deep.equal({ ok: false, reason: "expired" });
        expect(decrypt(key, "code", encrypt(key, "code", { c: "x" }), now)).to.deep.equal({ ok: false, reason: "malformed" });
        expect(decrypt(key, "refresh", encrypt(key, "refresh", { c: "x" }, now - 1000), now)).to.deep.equal({ ok: false, reason: "expired" });
        expect(openRefreshToken(key, sealed, now + 365 * 86_400_000).ok).to.be.true;
    });

    it("seals the same refresh token differently each time (a fresh nonce)", () => {
        expect(sealRefreshToken(key, { clientId: CLIENT, cognitoRefreshToken: COGNITO_REFRESH })).to.not.equal(sealed);
    });
});

describe("the facade's token endpoint with rotating Cognito refresh tokens", () => {
    quietLogs();
    // The token endpoint reads the client's document for how it authenticates: a public (`none`) one, served here
    // and joined to the allow-list past the HTTPS-only check, as local mode's test switch does.
    let host: DocumentHost;
    let client = "";
    before(async () => {
        host = await documentHost(serveJson((url) => ({ client_id: url, redirect_uris: [CLIENT_REDIRECT], token_endpoint_auth_method: "none" })));
        client = `${host.origin}/client.json`;
    });
    after(() => host.close());

    it("wraps the new refresh token Cognito returns on a refresh, and relays Cognito's refusal of a rotated-out one", async () => {
        const settings = { ...settingsFor([]), clientMetadataUrls: [client] };
        const spent = new Set<string>();
        const cognito = fakeCognito(({ form }) => {
            if (form.grant_type !== "refresh_token") {
                return { status: 200, body: { access_token: "a0", token_type: "Bearer", expires_in: 3600, refresh_token: "cognito-r0" } };
            }
            if (spent.has(form.refresh_token)) {
                return { status: 400, body: { error: "invalid_grant" } };
            }
            spent.add(form.refresh_token);
            return { status: 200, body: { access_token: "a1", token_type: "Bearer", expires_in: 3600, refresh_token: `${form.refresh_token}-next` } };
        });
        const facade = facadeFor(settings, { post: cognito.post });
        const first = sealRefreshToken(settings.stateKey, { clientId: client, cognitoRefreshToken: "cognito-r0" });
        const refresh = (token: string) => facade(postEvent(FACADE_PATHS.token, { grant_type: "refresh_token", refresh_token: token, client_id: client }));

        const answer = await refresh(first);
        expect(answer.statusCode).to.equal(200);
        const second = (JSON.parse(answer.body) as { refresh_token: string }).refresh_token;
        expect(openRefreshToken(settings.stateKey, second, Date.now())).to.deep.equal({ ok: true, value: { clientId: client, cognitoRefreshToken: "cognito-r0-next" } });
        expect(answer.body).to.not.include("cognito-r0");

        const replay = await refresh(first);
        expect(replay.statusCode).to.equal(400);
        expect(JSON.parse(replay.body)).to.include({ error: "invalid_grant" });
        expect((await refresh(second)).statusCode).to.equal(200);
        expect(cognito.forwarded.map((f) => f.form.refresh_token)).to.deep.equal(["cognito-r0", "cognito-r0", "cognito-r0-next"]);
    });

    it("refuses a tampered refresh envelope before Cognito sees it", async () => {
        const settings = { ...settingsFor([]), clientMetadataUrls: [client] };
        const cognito = fakeCognito();
        const token = sealRefreshToken(settings.stateKey, { clientId: client, cognitoRefreshToken: "cognito-r0" });
        const answer = await facadeFor(settings, { post: cognito.post })(postEvent(FACADE_PATHS.token, { grant_type: "refresh_token", refresh_token: flipped(token, 20), client_id: client }));
        expect(answer.statusCode).to.equal(400);
        expect(cognito.forwarded).to.have.lengthOf(0);
    });
});

/** An unsigned JWT with `claims`: the facade reads Cognito's access token without checking it, so no key is needed. */
const jwt = (claims: Record<string, unknown>) =>
    ["{\"alg\":\"RS256\"}", JSON.stringify(claims)].map((part) => Buffer.from(part).toString("base64url")).join(".") + ".c2lnbmF0dXJl";

describe("the facade's token issued line", () => {
    const ORIGIN = "4f1c2a9e-0b7d-4c55-9a3e-6d2f8e1b7c40";
    const ACCESS = jwt({ sub: "user-sub", client_id: SHADOW_CLIENT_ID, origin_jti: ORIGIN, token_use: "access" });
    let host: DocumentHost;
    let client = "";
    let lines: string[] = [];
    let restore = (): void => undefined;
    before(async () => {
        host = await documentHost(serveJson((url) => ({ client_id: url, redirect_uris: [CLIENT_REDIRECT], token_endpoint_auth_method: "none" })));
        client = `${host.origin}/client.json`;
    });
    after(() => host.close());
    beforeEach(() => {
        const write = logSink.write;
        lines = [];
        logSink.write = (line) => void lines.push(line);
        restore = () => void (logSink.write = write);
    });
    afterEach(() => restore());

    const issuedLines = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.message === "token issued");
    const cognitoIssuing = () => fakeCognito(() => ({ status: 200, body: { access_token: ACCESS, id_token: jwt({ origin_jti: ORIGIN }), token_type: "Bearer", expires_in: 3600, refresh_token: "cognito-r1" } }));

    it("names the CIMD client's URL and the sign-in after a code exchange, and never a token", async () => {
        const settings = { ...settingsFor([]), clientMetadataUrls: [client] };
        const { verifier, challenge } = pkcePair();
        const code = sealCode(settings.stateKey, { clientId: client, redirectUri: CLIENT_REDIRECT, cognitoCode: "cognito-code", codeChallenge: challenge }, Date.now());
        const answer = await facadeFor(settings, { post: cognitoIssuing().post })(postEvent(FACADE_PATHS.token, {
            grant_type: "authorization_code", code, redirect_uri: CLIENT_REDIRECT, code_verifier: verifier, client_id: client,
        }));
        expect(answer.statusCode).to.equal(200);
        const [line, ...more] = issuedLines();
        expect(more).to.be.empty;
        expect(line).to.include({ level: "INFO", message: "token issued", clientId: client, signIn: ORIGIN, grantType: "authorization_code" });
        expect(Object.keys(line).sort()).to.deep.equal(["clientId", "grantType", "level", "message", "requestId", "signIn", "timestamp"]);
        const all = lines.join("\n");
        for (const secret of [ACCESS, "cognito-r1", "cognito-code", code, verifier, ACCESS.split(".")[1]]) {
            expect(all).to.not.include(secret);
        }
    });

    it("names the CIMD client after a refresh too", async () => {
        const settings = { ...settingsFor([]), clientMetadataUrls: [client] };
        const refresh = sealRefreshToken(settings.stateKey, { clientId: client, cognitoRefreshToken: "cognito-r0" });
        const answer = await facadeFor(settings, { post: cognitoIssuing().post })(postEvent(FACADE_PATHS.token, { grant_type: "refresh_token", refresh_token: refresh, client_id: client }));
        expect(answer.statusCode).to.equal(200);
        expect(issuedLines()).to.have.lengthOf(1);
        expect(issuedLines()[0]).to.include({ clientId: client, signIn: ORIGIN, grantType: "refresh_token" });
        expect(lines.join("\n")).to.not.include("cognito-r0").and.not.include(refresh);
    });

    it("names a static client by its id", async () => {
        const answer = await facadeFor(settingsFor([]), { post: cognitoIssuing().post })(postEvent(FACADE_PATHS.token,
            { grant_type: "refresh_token", refresh_token: "cognito-r0", client_id: STATIC_CLIENT_ID },
            { Authorization: `Basic ${Buffer.from(`${STATIC_CLIENT_ID}:secret`).toString("base64")}` }));
        expect(answer.statusCode).to.equal(200);
        expect(issuedLines()).to.have.lengthOf(1);
        expect(issuedLines()[0]).to.include({ clientId: STATIC_CLIENT_ID, signIn: ORIGIN, grantType: "refresh_token" });
    });

    it("writes none when Cognito refuses, or before Cognito is asked", async () => {
        const settings = { ...settingsFor([]), clientMetadataUrls: [client] };
        const refusing = fakeCognito(() => ({ status: 400, body: { error: "invalid_grant" } }));
        const refresh = sealRefreshToken(settings.stateKey, { clientId: client, cognitoRefreshToken: "cognito-r0" });
        expect((await facadeFor(settings, { post: refusing.post })(postEvent(FACADE_PATHS.token, { grant_type: "refresh_token", refresh_token: refresh, client_id: client }))).statusCode).to.equal(400);
        expect((await facadeFor(settings, { post: cognitoIssuing().post })(postEvent(FACADE_PATHS.token, { grant_type: "refresh_token", refresh_token: "forged", client_id: client }))).statusCode).to.equal(400);
        expect(issuedLines()).to.be.empty;
    });

    it("reads only a well-formed origin_jti from the access token, and nothing from a body without one", () => {
        expect(signInOf(JSON.stringify({ access_token: ACCESS }))).to.equal(ORIGIN);
        expect(signInOf(JSON.stringify({ access_token: jwt({ origin_jti: "x".repeat(65) }) }))).to.be.undefined;
        expect(signInOf(JSON.stringify({ access_token: jwt({ origin_jti: "a\nb" }) }))).to.be.undefined;
        expect(signInOf(JSON.stringify({ access_token: "opaque" }))).to.be.undefined;
        expect(signInOf(JSON.stringify({ access_token: "a.%%%.c" }))).to.be.undefined;
        expect(signInOf("not json")).to.be.undefined;
        expect(signInOf("[]")).to.be.undefined;
    });
});

describe("CORS of the facade's token and revocation endpoints", () => {
    quietLogs();

    it("puts Access-Control-Allow-Origin: * on every answer of /oauth/token and /oauth/revoke, errors included, and no credentials", async () => {
        const settings = settingsFor([CLIENT]);
        const basic = { Authorization: `Basic ${Buffer.from(`${STATIC_CLIENT_ID}:s`).toString("base64")}` };
        const failing = facadeFor(settings, { post: () => Promise.reject(new Error("unreachable")) });
        const answers = [
            await facadeFor(settings)(postEvent(FACADE_PATHS.token, { grant_type: "refresh_token", refresh_token: "r" }, basic)),
            await facadeFor(settings)(postEvent(FACADE_PATHS.token, { grant_type: "refresh_token", refresh_token: "r", client_id: "https://unknown.example/c.json" })),
            await facadeFor(settings)(postEvent(FACADE_PATHS.token, { grant_type: "password" }, basic)),
            await failing(postEvent(FACADE_PATHS.token, { grant_type: "refresh_token", refresh_token: "r" }, basic)),
            await facadeFor(settings)(postEvent(FACADE_PATHS.revoke, { token: "r" }, basic)),
            await facadeFor(settings)({ ...postEvent(FACADE_PATHS.revoke, {}), httpMethod: "GET" }),
        ];
        expect(answers.map((a) => a.statusCode)).to.deep.equal([200, 401, 400, 502, 200, 405]);
        for (const answer of answers) {
            expect(answer.headers).to.include({ "Access-Control-Allow-Origin": "*" });
            expect(answer.headers).to.not.have.property("Access-Control-Allow-Credentials");
        }
        const page = await facadeFor(settings)(getEvent(FACADE_PATHS.authorize, {}));
        expect(page.headers).to.not.have.property("Access-Control-Allow-Origin");
    });

    for (const [stack, corsAllowOrigin] of [["CORS on for the routes", "*"], ["one origin for the routes", "https://chatgpt.com"], ["CORS off for the routes", undefined]] as const) {
        it(`answers their preflight in the API document itself (MOCK), with "*", POST, Content-Type and Authorization: ${stack}`, () => {
            const document = restApiDocument({
                settings: apiLevelSettings(false), title: "t", description: "d", routes: routeList(), userPoolArn: "arn:pool", scopes: ["s"], invokeArn: "arn:fn", corsAllowOrigin,
                mcp: { scope: "m", documents: {}, challenge: "Bearer", facadeInvokeArn: "arn:facade" },
            }) as { paths: Record<string, Record<string, { "x-amazon-apigateway-integration"?: { type: string; responses: { default: { responseParameters: Record<string, string> } } } }>> };
            for (const path of CORS_PATHS) {
                const preflight = document.paths[path].options["x-amazon-apigateway-integration"];
                expect(preflight?.type, path).to.equal("mock");
                expect(preflight?.responses.default.responseParameters).to.deep.equal({
                    "method.response.header.Access-Control-Allow-Origin": "'*'",
                    "method.response.header.Access-Control-Allow-Methods": "'POST,OPTIONS'",
                    "method.response.header.Access-Control-Allow-Headers": "'Content-Type,Authorization'",
                });
            }
            for (const path of [FACADE_PATHS.authorize, FACADE_PATHS.callback]) {
                expect(document.paths[path], path).to.not.have.property("options");
            }
        });
    }
});
