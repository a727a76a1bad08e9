/**
 * Local mode under attack and over time: bodies over the limits, token lifetimes from the stack config,
 * revocation (RFC 7009, as Cognito serves it), bounded stores and request fields, and Cognito's lockout.
 */
import { expect } from "chai";
import { request } from "node:http";
import { decodeJwt } from "jose";
import { ExpiringStore } from "../local/expiringStore";
import { localModeForSuite } from "./localMode";

const DAY_MS = 86_400_000;

/** POSTs `size` bytes and returns the status and body the server answered, or the transport error. */
function postBytes(url: string, size: number, headers: Record<string, string> = {}): Promise<{ status?: number; body: string; error?: string }> {
    return new Promise((resolve) => {
        const req = request(url, { method: "POST", headers: { "Content-Length": String(size), ...headers } }, (res) => {
            let body = "";
            res.on("data", (chunk: Buffer) => { body += chunk.toString(); });
            res.on("end", () => resolve({ status: res.statusCode, body }));
            res.on("error", (error) => resolve({ status: res.statusCode, body, error: error.message }));
        });
        req.on("error", (error) => resolve({ body: "", error: error.message }));
        const chunk = Buffer.alloc(64 * 1024, "a");
        let sent = 0;
        const pump = () => {
            while (sent < size) {
                const part = chunk.subarray(0, Math.min(chunk.length, size - sent));
                sent += part.length;
                if (!req.write(part)) {
                    req.once("drain", pump);
                    return;
                }
            }
            req.end();
        };
        pump();
    });
}

describe("local mode's limits", function () {
    this.timeout(20_000);
    let now = Date.now();
    const local = localModeForSuite(() => ({ clock: () => now, config: { accessTokenMinutes: "5", refreshTokenDays: "1" } }));

    afterEach(() => {
        now = Date.now();
    });

    const basic = (secret = local().outputs.clientSecret) => `Basic ${Buffer.from(`${local().outputs.clientId}:${secret}`).toString("base64")}`;
    const authorizeParams = (extra: Record<string, string> = {}) => ({
        response_type: "code", client_id: local().outputs.clientId, redirect_uri: local().outputs.callbackUrls[0], scope: "openid", state: "s", ...extra,
    });
    const login = (password = local().outputs.testUser.password, username = local().outputs.testUser.username, extra: Record<string, string> = {}) =>
        fetch(`${local().baseUrl}/login`, { method: "POST", redirect: "manual", body: new URLSearchParams({ ...authorizeParams(extra), username, password }) });
    const post = (endpoint: string, fields: Record<string, string>, secret?: string) =>
        fetch(`${local().baseUrl}${endpoint}`, { method: "POST", headers: { Authorization: basic(secret) }, body: new URLSearchParams(fields) });

    /** Signs in and exchanges the code: the token response. */
    async function signIn(): Promise<{ access_token: string; refresh_token: string; expires_in: number }> {
        const back = await login();
        const code = new URL(back.headers.get("location") ?? "").searchParams.get("code") ?? "";
        const res = await post("/oauth2/token", { grant_type: "authorization_code", code, redirect_uri: local().outputs.callbackUrls[0] });
        expect(res.status).to.equal(200);
        return await res.json() as { access_token: string; refresh_token: string; expires_in: number };
    }

    describe("bodies over the limit", () => {
        it("answers only loopback Host names, so a DNS-rebinding page gets 403", async () => {
        const get = (host: string) => new Promise<number | undefined>((resolve, reject) => {
            const req = request(`${local().authority.issuer}/.well-known/openid-configuration`, { headers: { Host: host } }, (res) => {
                res.resume();
                resolve(res.statusCode);
            });
            req.on("error", reject);
            req.end();
        });
        const port = new URL(local().baseUrl).port;
        expect(await get("evil.example.com")).to.equal(403);
        expect(await get(`evil.example.com:${port}`)).to.equal(403);
        for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, "localhost"]) {
            expect(await get(host), host).to.equal(200);
        }
    });

    it("answers an API body over 10 MiB with 413 Request Too Long before closing", async () => {
            const res = await postBytes(`${local().outputs.apiUrl}/my_route`, 10 * 1024 * 1024 + 1, { Authorization: `Bearer ${(await signIn()).access_token}` });
            expect(res.status, res.error).to.equal(413);
            expect(JSON.parse(res.body)).to.deep.equal({ message: "Request Too Long" });
        });

        it("answers a form over 64 KiB with an OAuth error, at the token and login endpoints", async () => {
            for (const endpoint of ["/oauth2/token", "/login", "/oauth2/revoke"]) {
                const res = await postBytes(`${local().baseUrl}${endpoint}`, 64 * 1024 + 1, { "Content-Type": "application/x-www-form-urlencoded" });
                expect(res.status, `${endpoint}: ${res.error}`).to.equal(413);
                expect(JSON.parse(res.body), endpoint).to.include({ error: "invalid_request" });
            }
        });
    });

    describe("token lifetimes from the stack config", () => {
        it("gives access and ID tokens accessTokenMinutes of life", async () => {
            const tokens = await signIn();
            expect(tokens.expires_in).to.equal(5 * 60);
            const claims = decodeJwt(tokens.access_token);
            expect((claims.exp ?? 0) - (claims.iat ?? 0)).to.equal(5 * 60);
        });

        it("expires refresh tokens after refreshTokenDays", async () => {
            const tokens = await signIn();
            now += DAY_MS - 1000;
            expect((await post("/oauth2/token", { grant_type: "refresh_token", refresh_token: tokens.refresh_token })).status).to.equal(200);
            now += 2000;
            const late = await post("/oauth2/token", { grant_type: "refresh_token", refresh_token: tokens.refresh_token });
            expect(late.status).to.equal(400);
            expect(await late.json()).to.include({ error: "invalid_grant" });
        });
    });

    describe("POST /oauth2/revoke", () => {
        it("revokes a refresh token: 200 with an empty body, then the token no longer refreshes and its access token no longer reads userInfo", async () => {
            const tokens = await signIn();
            const userInfo = () => fetch(`${local().baseUrl}/oauth2/userInfo`, { headers: { Authorization: `Bearer ${tokens.access_token}` } });
            expect((await userInfo()).status).to.equal(200);
            const res = await post("/oauth2/revoke", { token: tokens.refresh_token });
            expect(res.status).to.equal(200);
            expect(await res.text()).to.equal("");
            expect(await (await post("/oauth2/token", { grant_type: "refresh_token", refresh_token: tokens.refresh_token })).json()).to.include({ error: "invalid_grant" });
            expect((await userInfo()).status).to.equal(401);
        });

        it("answers 200 for an unknown or already revoked token", async () => {
            expect((await post("/oauth2/revoke", { token: "never-issued" })).status).to.equal(200);
        });

        it("refuses a bad client with 401 invalid_client, a missing token with invalid_request and an access token with unsupported_token_type", async () => {
            const tokens = await signIn();
            const wrongClient = await post("/oauth2/revoke", { token: tokens.refresh_token }, "wrong-secret");
            expect(wrongClient.status).to.equal(401);
            expect(await wrongClient.json()).to.include({ error: "invalid_client" });
            const noToken = await post("/oauth2/revoke", {});
            expect(noToken.status).to.equal(400);
            expect(await noToken.json()).to.include({ error: "invalid_request" });
            const access = await post("/oauth2/revoke", { token: tokens.access_token });
            expect(access.status).to.equal(400);
            expect(await access.json()).to.include({ error: "unsupported_token_type" });
            // The refused attempts revoked nothing.
            expect((await post("/oauth2/token", { grant_type: "refresh_token", refresh_token: tokens.refresh_token })).status).to.equal(200);
        });

        it("is advertised in the discovery document", async () => {
            const discovery = await (await fetch(`${local().authority.issuer}/.well-known/openid-configuration`)).json() as Record<string, unknown>;
            expect(discovery.revocation_endpoint).to.equal(`${local().baseUrl}/oauth2/revoke`);
        });
    });

    describe("bounded requests and stores", () => {
        const errorOf = (res: Response) => new URL(res.headers.get("location") ?? "").searchParams.get("error");

        it("refuses a code_challenge that is not 43-128 base64url characters (RFC 7636 §4.2)", async () => {
            for (const challenge of ["short", "a".repeat(129), `${"a".repeat(42)}!`, "x".repeat(57_000)]) {
                const res = await login(undefined, undefined, { code_challenge: challenge, code_challenge_method: "S256" });
                expect(errorOf(res), challenge.slice(0, 10)).to.equal("invalid_request");
            }
            const fine = await login(undefined, undefined, { code_challenge: "a".repeat(43), code_challenge_method: "S256" });
            expect(new URL(fine.headers.get("location") ?? "").searchParams.has("code")).to.equal(true);
        });

        it("refuses a state or nonce over 2048 characters", async () => {
            for (const field of ["state", "nonce"]) {
                const res = await fetch(`${local().outputs.authorizationUrl}?${new URLSearchParams(authorizeParams({ [field]: "n".repeat(2049) })).toString()}`, { redirect: "manual" });
                expect(errorOf(res), field).to.equal("invalid_request");
            }
        });

        it("sweeps expired entries on insert and drops the oldest when full", () => {
            let clock = 0;
            const store = new ExpiringStore<number>(3, () => clock);
            store.set("a", 1, 10);
            store.set("b", 2, 20);
            clock = 15;
            store.set("c", 3, 30);
            expect(store.size, "a expired and was swept").to.equal(2);
            store.set("d", 4, 40);
            store.set("e", 5, 50);
            expect(store.size).to.equal(3);
            expect([store.get("b"), store.get("c"), store.get("d"), store.get("e")]).to.deep.equal([undefined, 3, 4, 5]);
            clock = 45;
            expect(store.get("d"), "expired").to.equal(undefined);
        });
    });

    describe("lockout after wrong passwords, as Cognito's", () => {
        const username = () => local().outputs.testUser.username;
        const codeFrom = (res: Response) => new URL(res.headers.get("location") ?? "http://x/").searchParams.get("code");

        it("locks a user out after 5 wrong passwords, for 1 s, then 2 s after the next failure; a success starts over", async () => {
            for (let i = 0; i < 5; i++) {
                expect(await (await login("wrong")).text()).to.include("Incorrect username or password.");
            }
            const locked = await login();
            expect(locked.status).to.equal(200);
            expect(await locked.text()).to.include("Password attempts exceeded");
            now += 1000;
            expect(await (await login("wrong")).text(), "the sixth failure").to.include("Incorrect username or password.");
            now += 1000;
            expect(await (await login()).text(), "locked for 2 s now").to.include("Password attempts exceeded");
            now += 1000;
            const back = await login();
            expect(codeFrom(back), "after the lockout, the right password works").to.be.a("string");
            expect(await (await login("wrong")).text(), "and the count starts over").to.include("Incorrect username or password.");
            expect(codeFrom(await login())).to.be.a("string");
        });

        it("locks out an unknown username the same way, so a lockout reveals nothing", async () => {
            for (let i = 0; i < 5; i++) {
                await login("wrong", "nobody@example.com");
            }
            expect(await (await login("wrong", "nobody@example.com")).text()).to.include("Password attempts exceeded");
            expect(codeFrom(await login(undefined, username())), "other users are not affected").to.be.a("string");
        });
    });
});
