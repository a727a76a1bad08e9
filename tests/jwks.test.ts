/**
 * A private_key_jwt client's key set (handler/facade/jwks.ts) and the jti list (usedTokens.ts): fetched under the
 * document's SSRF defences, only public signing keys kept, cached and refetched at a bounded rate; replays refused
 * until the assertion expires, within a bounded memory.
 */
import { expect } from "chai";
import { DocumentFetchError } from "../handler/facade/documentError";
import { checkKeySet, KeySets } from "../handler/facade/jwks";
import { UsedTokens } from "../handler/facade/usedTokens";
import { documentHost, type DocumentHost } from "./facadeFixtures";

const RSA_PUBLIC = { kty: "RSA", kid: "r", n: "sXch", e: "AQAB" };

describe("OAuth facade: a client's key set", () => {
    let host: DocumentHost;
    let answer: { status: number; type: string; body: string };
    let now: number;

    before(async () => {
        host = await documentHost((_req, res) => {
            res.writeHead(answer.status, { "Content-Type": answer.type });
            res.end(answer.body);
        });
    });
    after(() => host.close());
    beforeEach(() => {
        answer = { status: 200, type: "application/jwk-set+json", body: JSON.stringify({ keys: [RSA_PUBLIC] }) };
        now = Date.now();
    });

    const rejection = async (promise: Promise<unknown>): Promise<unknown> => promise.then(() => undefined, (error: unknown) => error);

    it("keeps public RSA, EC and OKP signing keys only: no symmetric key, no private key, no encryption key", () => {
        const keys = checkKeySet({ keys: [RSA_PUBLIC, { kty: "oct", k: "c2VjcmV0" }, { ...RSA_PUBLIC, kid: "p", d: "x" }, { ...RSA_PUBLIC, kid: "enc", use: "enc" }, { kty: "OKP", crv: "Ed25519", x: "x" }] });
        expect(keys.keys.map((k) => k.kid ?? k.kty)).to.deep.equal(["r", "OKP"]);
        expect(() => checkKeySet({ keys: [{ kty: "oct", k: "c2VjcmV0" }] })).to.throw(DocumentFetchError, /no public signing key/);
        expect(() => checkKeySet({ keys: "x" })).to.throw(/not a JWK Set/);
        expect(() => checkKeySet({ keys: new Array(21).fill(RSA_PUBLIC) })).to.throw(/at most 20 keys/);
    });

    it("fetches under the document's defences: https and public addresses unless the test switch allows loopback", async () => {
        const sets = new KeySets(() => now);
        expect(String(await rejection(sets.get(`${host.origin}/jwks.json`, {})))).to.match(/the jwks_uri is not https/);
        const loopback = `https://127.0.0.1:${new URL(host.origin).port}/jwks.json`;
        expect(String(await rejection(sets.get(loopback, {})))).to.match(/the jwks_uri's host resolves to a private, loopback/);
        const rebinding = "https://keys.example/jwks.json";
        expect(String(await rejection(sets.get(rebinding, { resolve: () => Promise.resolve(["169.254.169.254"]) })))).to.match(/non-public address/);
        expect(host.requests).to.have.lengthOf(0);
    });

    it("refuses a redirect, another media type and an oversized set, naming the key set; remembers a failure 30 seconds", async () => {
        const options = { allowLoopbackHttp: true };
        answer = { status: 302, type: "application/json", body: "" };
        expect(String(await rejection(new KeySets(() => now).get(`${host.origin}/a`, options)))).to.match(/the client's key set \(jwks_uri\) answered HTTP 302/);
        answer = { status: 200, type: "text/html", body: "{}" };
        expect(String(await rejection(new KeySets(() => now).get(`${host.origin}/b`, options)))).to.match(/is not application\/json or application\/jwk-set\+json/);
        answer = { status: 200, type: "application/json", body: JSON.stringify({ keys: [{ ...RSA_PUBLIC, n: "x".repeat(20_000) }] }) };
        const sets = new KeySets(() => now);
        expect(String(await rejection(sets.get(`${host.origin}/c`, options)))).to.match(/over 16384 bytes/);
        const asked = host.requests.length;
        answer = { status: 200, type: "application/json", body: JSON.stringify({ keys: [RSA_PUBLIC] }) };
        expect(await rejection(sets.get(`${host.origin}/c`, options))).to.be.instanceOf(DocumentFetchError);
        expect(host.requests.length, "the failure is remembered").to.equal(asked);
        now += 31_000;
        expect((await sets.get(`${host.origin}/c`, options)).keys).to.have.lengthOf(1);
    });

    it("caches a set, and refetches it for an unknown kid at most once a minute", async () => {
        const sets = new KeySets(() => now);
        const url = `${host.origin}/cached`;
        const options = { allowLoopbackHttp: true };
        await sets.get(url, options);
        await sets.get(url, options);
        await sets.get(url, options, true);
        expect(host.requests.filter((r) => r.url === "/cached")).to.have.lengthOf(1);
        now += 61_000;
        await sets.get(url, options, true);
        expect(host.requests.filter((r) => r.url === "/cached")).to.have.lengthOf(2);
    });
});

describe("OAuth facade: the jti a warm instance has seen", () => {
    let now = 0;
    /** As clientAuthentication.ts keys it: `<client_id> <jti>`. */
    const remember = (seen: UsedTokens, clientId: string, jti: string, expiresAt: number, at: number) => {
        now = at;
        return seen.use(`${clientId} ${jti}`, expiresAt);
    };

    it("refuses a jti until its assertion expires, per client", () => {
        const seen = new UsedTokens(() => now);
        expect(remember(seen, "https://a.example/c.json", "j1", 1_000, 0)).to.equal(true);
        expect(remember(seen, "https://a.example/c.json", "j1", 1_000, 500)).to.equal(false);
        expect(remember(seen, "https://b.example/c.json", "j1", 1_000, 500), "another client's jti").to.equal(true);
        expect(remember(seen, "https://a.example/c.json", "j1", 2_000, 1_000), "expired, so no longer a replay").to.equal(true);
    });

    it("stays bounded: expired entries go first, then the oldest", () => {
        const seen = new UsedTokens(() => now);
        for (let i = 0; i < 10_000; i++) {
            expect(remember(seen, "c", `old-${i}`, i < 5_000 ? 10 : 1_000_000, 0)).to.equal(true);
        }
        expect(remember(seen, "c", "new", 1_000_000, 100)).to.equal(true);
        expect(remember(seen, "c", "old-1", 1_000_000, 100), "expired entries were swept").to.equal(true);
        expect(remember(seen, "c", "old-9999", 1_000_000, 100), "a live one is still refused").to.equal(false);
    });
});
