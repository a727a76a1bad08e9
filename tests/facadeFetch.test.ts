/**
 * The OAuth facade's document fetch and checks (CIMD draft-02 §4, §5, §8.6, §8.7): which addresses it refuses, that
 * it connects to the address it checked, that it follows no redirect, and its size, time and type limits.
 */
import { expect } from "chai";
import { isPublicAddress } from "../handler/facade/addresses";
import { checkDocument, ClientDocuments, FAILURE_CACHE_SECONDS, MAX_CACHE_SECONDS } from "../handler/facade/clientDocuments";
import { DocumentFetchError } from "../handler/facade/documentError";
import { fetchDocument, MAX_DOCUMENT_BYTES } from "../handler/facade/documentFetch";
import { documentHost, serveJson, type DocumentHost } from "./facadeFixtures";

async function refusal(promise: Promise<unknown>): Promise<string> {
    try {
        await promise;
    } catch (error) {
        expect(error).to.be.instanceOf(DocumentFetchError);
        return (error as Error).message;
    }
    throw new Error("expected the fetch to be refused");
}

describe("OAuth facade: which addresses a document may come from", () => {
    const refused = [
        "127.0.0.1", "127.255.0.9", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1",
        "0.0.0.0", "224.0.0.1", "255.255.255.255", "192.0.2.1", "198.18.0.1",
        "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "2001:db8::1",
        "::ffff:127.0.0.1", "::ffff:7f00:1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "64:ff9b::10.0.0.1", "2002:7f00:1::", "::127.0.0.1",
        // IPv4-translated (::ffff:0:0:0/96, RFC 2765 §2.1) read like mapped; IANA's not-globally-reachable IPv6 blocks.
        "::ffff:0:127.0.0.1", "::ffff:0:7f00:1", "::ffff:0:a9fe:a9fe", "64:ff9b:1::7f00:1", "64:ff9b:1::808:808", "100:0:0:1::1",
        "3fff::1", "3fff:fff:ffff::1", "5f00::1", "5f00:ffff::1",
        // Outside global unicast 2000::/3 (RFC 4291 §2.4): reserved by the IETF, never a document host.
        "4000::1", "8000::1", "e000::1",
        "not an address",
    ];
    for (const address of refused) {
        it(`refuses ${address}`, () => {
            expect(isPublicAddress(address)).to.be.false;
        });
    }
    it("accepts public unicast addresses, also IPv4-mapped", () => {
        for (const address of ["8.8.8.8", "104.18.32.47", "172.32.0.1", "2606:4700::6810:20", "::ffff:8.8.8.8", "::ffff:0:8.8.8.8", "64:ff9b::8.8.8.8", "2a00:1450:4001::1"]) {
            expect(isPublicAddress(address), address).to.be.true;
        }
    });
});

describe("OAuth facade: fetching a client metadata document", () => {
    let host: DocumentHost | undefined;
    afterEach(async () => {
        await host?.close();
        host = undefined;
    });

    it("refuses http without local mode's test switch", async () => {
        expect(await refusal(fetchDocument("http://client.example/client.json", { resolve: () => Promise.resolve(["8.8.8.8"]) }))).to.match(/not https/);
    });

    it("refuses a host that resolves to a private or loopback address, or to any among public ones, without connecting", async () => {
        for (const addresses of [["10.0.0.5"], ["127.0.0.1"], ["::1"], ["::ffff:127.0.0.1"], ["8.8.8.8", "192.168.0.10"], ["169.254.169.254"]]) {
            const message = await refusal(fetchDocument("https://client.example/client.json", { resolve: () => Promise.resolve(addresses) }));
            expect(message, addresses.join(",")).to.match(/non-public address/);
        }
    });

    it("refuses an IP literal that is private, and a host that does not resolve", async () => {
        for (const url of ["https://127.0.0.1/client.json", "https://[::1]/client.json", "https://[::ffff:a9fe:a9fe]/client.json", "https://10.0.0.1/client.json"]) {
            expect(await refusal(fetchDocument(url)), url).to.match(/non-public address/);
        }
        expect(await refusal(fetchDocument("https://x.example/c.json", { resolve: () => Promise.reject(new Error("ENOTFOUND")) }))).to.match(/does not resolve/);
        expect(await refusal(fetchDocument("https://x.example/c.json", { resolve: () => Promise.resolve([]) }))).to.match(/does not resolve/);
    });

    it("connects to the address it resolved and checked, once, with the URL's host name (no second lookup)", async () => {
        host = await documentHost(serveJson(() => ({ ok: true })));
        const port = new URL(host.origin).port;
        let lookups = 0;
        const fetched = await fetchDocument(`http://client.invalid:${port}/client.json`, {
            allowLoopbackHttp: true,
            resolve: () => {
                lookups += 1;
                return Promise.resolve(["127.0.0.1"]);
            },
        });
        expect(fetched.body).to.deep.equal({ ok: true });
        expect(lookups).to.equal(1);
        expect(host.requests[0].headers.host).to.equal(`client.invalid:${port}`);
        expect(host.requests[0].headers.cookie).to.equal(undefined);
        expect(host.requests[0].headers.authorization).to.equal(undefined);
    });

    it("follows no redirect, even with the test switch: a 3xx is an error and its target is never asked", async () => {
        let targetAsked = false;
        host = await documentHost((req, res) => {
            if (req.url === "/target.json") {
                targetAsked = true;
            }
            res.writeHead(Number(new URL(req.url ?? "/", "http://host").searchParams.get("status") ?? 302), { Location: "/target.json" });
            res.end();
        });
        for (const status of [301, 302, 303, 307, 308]) {
            expect(await refusal(fetchDocument(`${host.origin}/client.json?status=${status}`, { allowLoopbackHttp: true }))).to.include(`HTTP ${status}, not 200`);
        }
        expect(targetAsked).to.be.false;
    });

    it(`refuses a document over ${MAX_DOCUMENT_BYTES} bytes, announced or streamed`, async () => {
        const big = JSON.stringify({ client_id: "x", pad: "x".repeat(MAX_DOCUMENT_BYTES) });
        host = await documentHost((req, res) => {
            res.writeHead(200, { "Content-Type": "application/json", ...(req.url === "/announced" ? { "Content-Length": String(big.length) } : {}) });
            if (req.url === "/announced") {
                res.end(big);
            } else {
                // Chunked, no length: the limit applies as the bytes arrive.
                res.write(big.slice(0, 8000));
                res.write(big.slice(8000));
                res.end();
            }
        });
        expect(await refusal(fetchDocument(`${host.origin}/announced`, { allowLoopbackHttp: true }))).to.match(/over 16384 bytes/);
        expect(await refusal(fetchDocument(`${host.origin}/streamed`, { allowLoopbackHttp: true }))).to.match(/over 16384 bytes/);
    });

    it("gives up on a slow document at the time limit", async () => {
        host = await documentHost((_req, res) => {
            res.writeHead(200, { "Content-Type": "application/json" });
            res.write("{");
            // Never finishes.
        });
        const started = Date.now();
        expect(await refusal(fetchDocument(`${host.origin}/slow.json`, { allowLoopbackHttp: true, timeoutMs: 300 }))).to.match(/longer than 300 ms/);
        expect(Date.now() - started).to.be.below(2000);
    });

    it("counts the DNS lookup in the time limit: a slow resolver is given up on at the deadline", async () => {
        const started = Date.now();
        const slow = () => new Promise<readonly string[]>((resolve) => setTimeout(() => resolve(["8.8.8.8"]), 1500));
        expect(await refusal(fetchDocument("https://slow-dns.example/client.json", { timeoutMs: 300, resolve: slow }))).to.match(/longer than 300 ms/);
        expect(Date.now() - started).to.be.below(1000);
    });

    it("refuses a document that is not application/json, not JSON, or not a 200", async () => {
        host = await documentHost((req, res) => {
            const kind = req.url ?? "";
            res.writeHead(kind === "/missing" ? 404 : 200, { "Content-Type": kind === "/html" ? "text/html" : "application/json; charset=utf-8" });
            res.end(kind === "/broken" ? "{not json" : "{}");
        });
        expect(await refusal(fetchDocument(`${host.origin}/html`, { allowLoopbackHttp: true }))).to.match(/not application\/json/);
        expect(await refusal(fetchDocument(`${host.origin}/broken`, { allowLoopbackHttp: true }))).to.match(/not valid JSON/);
        expect(await refusal(fetchDocument(`${host.origin}/missing`, { allowLoopbackHttp: true }))).to.match(/HTTP 404/);
        expect((await fetchDocument(`${host.origin}/ok`, { allowLoopbackHttp: true })).body).to.deep.equal({});
    });
});

describe("OAuth facade: checking and caching a client metadata document", () => {
    const url = "https://client.example/oauth/client.json";
    const good = { client_id: url, redirect_uris: ["https://client.example/callback"], token_endpoint_auth_method: "none" };

    it("takes a document that names itself and lists redirect URIs", () => {
        expect(checkDocument(url, good)).to.deep.equal({ clientId: url, redirectUris: good.redirect_uris, authMethods: ["none"] });
        expect(checkDocument(url, { client_id: url, redirect_uris: ["https://client.example/callback"] }).clientId).to.equal(url);
    });

    it("refuses a document whose client_id is not its own URL, exactly", () => {
        for (const clientId of ["https://evil.example/client.json", `${url}/`, url.toUpperCase(), "https://client.example/oauth/../oauth/client.json", undefined]) {
            expect(() => checkDocument(url, { ...good, client_id: clientId }), String(clientId)).to.throw(DocumentFetchError, /client_id is not its own URL/);
        }
    });

    it("refuses a document without usable redirect_uris, with a secret, or for a client with a shared secret", () => {
        expect(() => checkDocument(url, { ...good, redirect_uris: [] })).to.throw(/redirect_uris/);
        expect(() => checkDocument(url, { ...good, redirect_uris: "https://client.example/callback" })).to.throw(/redirect_uris/);
        expect(() => checkDocument(url, { ...good, redirect_uris: ["not a url"] })).to.throw(/redirect_uris/);
        expect(() => checkDocument(url, { ...good, client_secret: "s" })).to.throw(/client secret/);
        expect(() => checkDocument(url, { ...good, token_endpoint_auth_method: "client_secret_basic" })).to.throw(/must be none or private_key_jwt/);
        expect(() => checkDocument(url, ["not", "an", "object"])).to.throw(/not a JSON object/);
    });

    it("takes https redirect URIs and http ones on a loopback host only, without a fragment or an OAuth response parameter", () => {
        const accepted = [
            "https://client.example/callback", "https://client.example/cb?x=1", "http://127.0.0.1:3000/cb", "http://[::1]/cb", "http://localhost:6274/oauth/callback",
        ];
        expect(checkDocument(url, { ...good, redirect_uris: accepted }).redirectUris).to.deep.equal(accepted);
        const refused = [
            "javascript:alert(1)", "data:text/html,x", "http://evil.example/cb", "http://localhost.evil.example/cb", "http://10.0.0.1/cb", "ftp://client.example/cb",
            "com.example.app:/callback", "myapp://callback", "https://client.example/cb#frag", "https://client.example/cb#",
            "https://client.example/cb?code=1", "https://client.example/cb?x=1&state=REGISTERED", "https://client.example/cb?iss=x", "https://client.example/cb?error=",
            "https://client.example/cb?error_description=x", "https://client.example/cb?error_uri=x",
            "https://client.example/c b", "https://client.example/cb\r\nSet-Cookie:x=1", "https://client.example/caf\u00e9",
        ];
        for (const uri of refused) {
            expect(() => checkDocument(url, { ...good, redirect_uris: ["https://client.example/callback", uri] }), uri).to.throw(DocumentFetchError, /redirect_uris/);
        }
    });

    describe("the cache", () => {
        let host: DocumentHost;
        let cacheControl: string | undefined;
        let now = 0;
        beforeEach(async () => {
            cacheControl = undefined;
            now = Date.now();
            host = await documentHost((req, res) => {
                if (req.url === "/missing.json") {
                    res.writeHead(404).end();
                    return;
                }
                serveJson((u) => ({ client_id: u, redirect_uris: ["https://client.example/callback"] }), cacheControl === undefined ? {} : { "Cache-Control": cacheControl })(req, res);
            });
        });
        afterEach(() => host.close());
        const documents = () => new ClientDocuments(() => ({ allowLoopbackHttp: true }), () => now);

        it("keeps a document 5 minutes by default, shares one fetch between concurrent requests, and fetches again after", async () => {
            const cache = documents();
            const doc = `${host.origin}/client.json`;
            await Promise.all([cache.get(doc), cache.get(doc), cache.get(doc)]);
            expect(host.requests).to.have.lengthOf(1);
            now += 299_000;
            await cache.get(doc);
            expect(host.requests).to.have.lengthOf(1);
            now += 2000;
            await cache.get(doc);
            expect(host.requests).to.have.lengthOf(2);
        });

        it(`keeps a failed fetch ${FAILURE_CACHE_SECONDS} s, so that a broken or slow document host is not asked on every sign-in`, async () => {
            const cache = documents();
            const doc = `${host.origin}/missing.json`;
            for (let i = 0; i < 3; i += 1) {
                expect(await refusal(cache.get(doc))).to.match(/HTTP 404/);
            }
            expect(host.requests).to.have.lengthOf(1);
            now += FAILURE_CACHE_SECONDS * 1000 - 1000;
            await refusal(cache.get(doc));
            expect(host.requests).to.have.lengthOf(1);
            now += 2000;
            await refusal(cache.get(doc));
            expect(host.requests).to.have.lengthOf(2);
        });

        it(`honours a max-age up to ${MAX_CACHE_SECONDS} s and no longer, and caches nothing for no-store`, async () => {
            cacheControl = "public, max-age=86400";
            const cache = documents();
            const doc = `${host.origin}/client.json`;
            await cache.get(doc);
            now += MAX_CACHE_SECONDS * 1000 - 1000;
            await cache.get(doc);
            expect(host.requests).to.have.lengthOf(1);
            now += 2000;
            await cache.get(doc);
            expect(host.requests).to.have.lengthOf(2);
            cacheControl = "no-store";
            const uncached = documents();
            await uncached.get(`${host.origin}/other.json`);
            await uncached.get(`${host.origin}/other.json`);
            expect(host.requests).to.have.lengthOf(4);
        });
    });
});
