/**
 * The facade's consent page for CIMD clients (issue 20, item 4; MCP 2026-07-28, Security Considerations: a proxy
 * with one upstream client id must get the user's consent per client): what the page shows and sends, Allow and
 * Deny, and each CSRF and replay attack on POST /oauth/consent as a test.
 */
import type { APIGatewayProxyResult } from "aws-lambda";
import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { MAX_CLIENT_NAME_CHARS } from "../handler/facade/consentPage";
import { sealConsent } from "../handler/facade/consentToken";
import { sealState } from "../handler/facade/envelopes";
import { FACADE_PATHS } from "../handler/facade/paths";
import type { FacadeSettings } from "../handler/facade/settings";
import { UsedTokens } from "../handler/facade/usedTokens";
import { logSink } from "../handler/log";
import {
    answerConsent, API_URL, CLIENT_REDIRECT, consentEvent, consentForm, documentHost, facadeFor, getEvent, HOSTED_UI, location, pkcePair, RESOURCE,
    SCOPE, serveJson, settingsFor, SHADOW_CLIENT_ID, STATIC_CLIENT_ID, STATIC_REDIRECT, type DocumentHost,
} from "./facadeFixtures";

const FIVE_MINUTES = 5 * 60 * 1000;

function expectRefused(result: APIGatewayProxyResult, status: number, pattern: RegExp): void {
    expect(result.statusCode, result.body.slice(0, 300)).to.equal(status);
    expect(result.headers?.Location, "never a redirect").to.equal(undefined);
    expect(result.headers?.["Content-Type"]).to.match(/^text\/html/);
    expect(result.body).to.match(pattern);
}

describe("OAuth facade: consent for CIMD clients", () => {
    let host: DocumentHost;
    let documents: Record<string, unknown>;
    let clientA: string;
    let settings: FacadeSettings;
    let now: number;
    let restoreLogs: () => void;

    before(async () => {
        host = await documentHost((req, res) => serveJson((url) => documents[url] ?? { client_id: url, client_name: "Test Client", redirect_uris: [CLIENT_REDIRECT] })(req, res));
        clientA = `${host.origin}/a/client.json`;
    });
    after(() => host.close());
    beforeEach(() => {
        documents = {};
        now = Date.now();
        settings = { ...settingsFor([]), clientMetadataUrls: [clientA] };
        const write = logSink.write;
        logSink.write = () => undefined;
        restoreLogs = () => void (logSink.write = write);
    });
    afterEach(() => restoreLogs());

    const facade = (facadeSettings = settings) => facadeFor(facadeSettings, { clock: () => now });

    function authorizeEvent(clientId: string, challenge: string, changes: Record<string, string | undefined> = {}) {
        const params: Record<string, string | undefined> = {
            response_type: "code", client_id: clientId, redirect_uri: clientId === STATIC_CLIENT_ID ? STATIC_REDIRECT : CLIENT_REDIRECT,
            scope: SCOPE, state: "client-state", code_challenge: challenge, code_challenge_method: "S256", resource: RESOURCE, ...changes,
        };
        return getEvent(FACADE_PATHS.authorize, Object.fromEntries(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined)));
    }

    /** The consent page for clientA, from `handler`, and its form as the browser holds it. */
    async function page(handler = facade(), changes: Record<string, string | undefined> = {}, headers: Record<string, string> = {}) {
        const event = authorizeEvent(clientA, pkcePair().challenge, changes);
        const answer = await handler({ ...event, headers });
        return { answer, ...consentForm(answer) };
    }

    describe("the page", () => {
        it("shows the self-declared name, the redirect URI's host (which gets the code), the client_id's host and the server, with Allow and Deny", async () => {
            const { answer } = await page();
            expect(answer.statusCode).to.equal(200);
            expect(answer.body).to.include("“Test Client”").and.include("name given by the app itself, not verified");
            expect(answer.body).to.match(/<dt>Your sign-in code will be sent to<\/dt><dd class="code">chatgpt\.com<\/dd>/);
            expect(answer.body).to.include(`<dd>${new URL(clientA).host}</dd>`);
            expect(answer.body).to.include(new URL(API_URL).host);
            expect(answer.body).to.include('<form method="post" action="https://abc123.execute-api.eu-west-1.amazonaws.com/Prod/oauth/consent">');
            expect(answer.body).to.match(/<button type="submit" name="decision" value="deny">Deny<\/button><button type="submit" name="decision" value="allow">Allow<\/button>/);
            expect(answer.body).to.include('<meta name="viewport" content="width=device-width, initial-scale=1">');
            expect(answer.body).to.not.include("<script");
        });

        it("sends the facade's security headers, form-action naming Cognito and the redirect URI, and a __Host- cookie", async () => {
            const { answer, cookie } = await page();
            expect(answer.headers).to.include({
                "Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
                "Content-Security-Policy": `default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self' ${HOSTED_UI} https://chatgpt.com`,
            });
            expect(String(answer.headers?.["Set-Cookie"])).to.match(/^__Host-gpt-action-consent=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=300; HttpOnly; SameSite=Strict; Secure$/);
            expect(cookie).to.match(/^__Host-gpt-action-consent=/);
            expect(answer.headers?.Location).to.equal(undefined);
        });

        it("escapes a client_name holding HTML, removes bidi overrides and control characters, and caps its length", async () => {
            documents[clientA] = { client_id: clientA, client_name: '<img src=x onerror=alert(1)>"Evil" & co\u202Emoc.elgoog', redirect_uris: [CLIENT_REDIRECT] };
            const { answer } = await page();
            expect(answer.body).to.include("“&#60;img src=x onerror=alert(1)&#62;&#34;Evil&#34; &#38; comoc.elgoog”");
            expect(answer.body).to.not.include("<img").and.not.include("\u202E");

            documents[clientA] = { client_id: clientA, client_name: "A".repeat(500), redirect_uris: [CLIENT_REDIRECT] };
            const long = (await page(facade())).answer.body;
            expect(long).to.include(`“${"A".repeat(MAX_CLIENT_NAME_CHARS - 1)}…”`).and.not.include("A".repeat(MAX_CLIENT_NAME_CHARS));

            documents[clientA] = { client_id: clientA, redirect_uris: [CLIENT_REDIRECT] };
            expect((await page(facade())).answer.body).to.include("(the app gives no name)");
        });

        it("is skipped by a client the stack owner registered (static): straight to Cognito under its own id", async () => {
            const to = location(await facade()(authorizeEvent(STATIC_CLIENT_ID, pkcePair().challenge)));
            expect(`${to.origin}${to.pathname}`).to.equal(`${HOSTED_UI}/oauth2/authorize`);
            expect(to.searchParams.get("client_id")).to.equal(STATIC_CLIENT_ID);
        });

        it("uses a cookie without __Host- and Secure only for an http issuer on a loopback host (local mode)", async () => {
            const local = { ...settingsFor([], "http://127.0.0.1:4000/Prod"), clientMetadataUrls: [clientA] };
            const { answer } = await page(facade(local), { scope: undefined, resource: undefined });
            expect(String(answer.headers?.["Set-Cookie"])).to.match(/^gpt-action-consent=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=300; HttpOnly; SameSite=Strict$/);
        });

        it("reuses the browser's cookie, so that two pages open in one browser both work", async () => {
            const handler = facade();
            const first = await page(handler);
            const second = await page(handler, {}, { Cookie: first.cookie });
            expect(second.cookie).to.equal(first.cookie);
            for (const { token } of [first, second]) {
                expect(location(await handler(consentEvent({ consent: token, decision: "allow" }, first.cookie))).origin).to.equal(HOSTED_UI);
            }
        });
    });

    describe("Allow and Deny", () => {
        it("Allow: sends the browser to Cognito with the same parameters as before consent existed, and the sign-in completes", async () => {
            const handler = facade();
            const { challenge } = pkcePair();
            const answer = await answerConsent(handler, await handler(authorizeEvent(clientA, challenge)));
            expect(answer.statusCode).to.equal(303);
            const to = location(answer);
            expect(`${to.origin}${to.pathname}`).to.equal(`${HOSTED_UI}/oauth2/authorize`);
            expect(Object.fromEntries(to.searchParams)).to.include({
                response_type: "code", client_id: SHADOW_CLIENT_ID, redirect_uri: `${API_URL}/oauth/callback`, scope: SCOPE,
                code_challenge: challenge, code_challenge_method: "S256", resource: RESOURCE,
            });
            expect([...to.searchParams.keys()].sort()).to.deep.equal(["client_id", "code_challenge", "code_challenge_method", "redirect_uri", "resource", "response_type", "scope", "state"]);
            const back = location(await handler(getEvent(FACADE_PATHS.callback, { code: "cognito-code", state: to.searchParams.get("state") ?? "" })));
            expect(`${back.origin}${back.pathname}`).to.equal(CLIENT_REDIRECT);
            expect(back.searchParams.get("state")).to.equal("client-state");
            expect(back.searchParams.get("iss")).to.equal(API_URL);
        });

        it("Allow without a resource or client state: neither appears on the way to Cognito or back", async () => {
            const handler = facade();
            const to = location(await answerConsent(handler, await handler(authorizeEvent(clientA, pkcePair().challenge, { resource: undefined, state: undefined }))));
            expect(to.searchParams.has("resource")).to.be.false;
            const back = location(await handler(getEvent(FACADE_PATHS.callback, { code: "c", state: to.searchParams.get("state") ?? "" })));
            expect(back.searchParams.has("state")).to.be.false;
        });

        it("Deny: access_denied with the client's state and iss at its verified redirect URI (RFC 6749 §4.1.2.1, RFC 9207)", async () => {
            const handler = facade();
            const answer = await answerConsent(handler, await handler(authorizeEvent(clientA, pkcePair().challenge)), "deny");
            expect(answer.statusCode).to.equal(303);
            const back = location(answer);
            expect(`${back.origin}${back.pathname}`).to.equal(CLIENT_REDIRECT);
            expect(Object.fromEntries(back.searchParams)).to.deep.equal({ error: "access_denied", error_description: "The user denied the app access.", state: "client-state", iss: API_URL });
        });
    });

    describe("attacks on POST /oauth/consent", () => {
        it("refuses a POST without its token, or with an empty, garbage or missing decision", async () => {
            const handler = facade();
            const { token, cookie } = await page(handler);
            expectRefused(await handler(consentEvent({ decision: "allow" }, cookie)), 400, /not valid/);
            expectRefused(await handler(consentEvent({ consent: "", decision: "allow" }, cookie)), 400, /not valid/);
            expectRefused(await handler(consentEvent({ consent: "abc.def", decision: "allow" }, cookie)), 400, /not valid/);
            expectRefused(await handler(consentEvent({ consent: token }, cookie)), 400, /incomplete/);
            expectRefused(await handler(consentEvent({ consent: token, decision: "yes" }, cookie)), 400, /incomplete/);
            expectRefused(await handler({ ...consentEvent({ consent: token, decision: "allow" }, cookie), body: `consent=${token}&decision=allow&decision=deny` }), 400, /incomplete/);
            expectRefused(await handler(consentEvent({ consent: token, decision: "allow" }, cookie, { "Content-Type": "application/json" })), 400, /incomplete/);
            // Still unused: the refusals above spent nothing.
            expect(location(await handler(consentEvent({ consent: token, decision: "allow" }, cookie))).origin).to.equal(HOSTED_UI);
        });

        it("refuses another request's token: one opened in another browser (its cookie differs)", async () => {
            const handler = facade();
            const victim = await page(handler);
            const attacker = await page(handler);
            expect(attacker.cookie).to.not.equal(victim.cookie);
            // The attacker's own page and token, submitted from the victim's browser (a cross-site form would also lack the Strict cookie).
            expectRefused(await handler(consentEvent({ consent: attacker.token, decision: "allow" }, victim.cookie)), 403, /not opened in this browser/);
        });

        it("refuses a tampered token: payload changed (another redirect URI), signature flipped, signed with another key, another kind of token", async () => {
            const handler = facade();
            const { token, cookie } = await page(handler);
            const [body, mac] = token.split(".");
            const payload = JSON.parse(Buffer.from(body, "base64url").toString()) as Record<string, unknown>;
            const forged = Buffer.from(JSON.stringify({ ...payload, r: "https://evil.example/cb" })).toString("base64url");
            const flipped = `${mac.slice(0, -2)}${mac.at(-2) === "A" ? "B" : "A"}${mac.at(-1)}`;
            const nonce = cookie.split("=")[1];
            const request = { clientId: clientA, redirectUri: CLIENT_REDIRECT, codeChallenge: pkcePair().challenge };
            const otherKind = sealState(settings.stateKey, request, now);
            for (const tampered of [`${forged}.${mac}`, `${body}.${flipped}`, sealConsent(randomBytes(32), request, nonce, now), otherKind]) {
                expectRefused(await handler(consentEvent({ consent: tampered, decision: "allow" }, cookie)), 400, /not valid/);
            }
        });

        it("refuses a validly signed token whose redirect URI the client no longer registers: checked again, as at the callback", async () => {
            const handler = facade();
            const nonce = randomBytes(32).toString("base64url");
            const token = sealConsent(settings.stateKey, { clientId: clientA, redirectUri: "https://evil.example/cb", codeChallenge: pkcePair().challenge }, nonce, now);
            expectRefused(await handler(consentEvent({ consent: token, decision: "deny" }, `__Host-gpt-action-consent=${nonce}`)), 400, /not one of the client&#39;s registered/);
        });

        it("refuses a token older than 5 minutes", async () => {
            const handler = facade();
            const { token, cookie } = await page(handler);
            now += FIVE_MINUTES + 1000;
            expectRefused(await handler(consentEvent({ consent: token, decision: "allow" }, cookie)), 400, /longer than 5 minutes/);
        });

        it("refuses a POST without the cookie, with another nonce, with a malformed one, or under another cookie name", async () => {
            const handler = facade();
            const { token, cookie } = await page(handler);
            const nonce = cookie.split("=")[1];
            const cookies = [undefined, "", `__Host-gpt-action-consent=${randomBytes(32).toString("base64url")}`, `__Host-gpt-action-consent=${nonce}x`,
                `gpt-action-consent=${nonce}`, `other=${nonce}`];
            for (const sent of cookies) {
                expectRefused(await handler(consentEvent({ consent: token, decision: "allow" }, sent)), 403, /not opened in this browser/);
            }
            // Among other cookies, in any order, it is found.
            expect(location(await handler(consentEvent({ consent: token, decision: "allow" }, `a=b; ${cookie}; c=d`))).origin).to.equal(HOSTED_UI);
        });

        it("refuses a replayed token in the same warm instance, whatever the decision", async () => {
            const handler = facade();
            const { token, cookie } = await page(handler);
            expect(location(await handler(consentEvent({ consent: token, decision: "deny" }, cookie))).origin).to.equal("https://chatgpt.com");
            for (const decision of ["allow", "deny"]) {
                expectRefused(await handler(consentEvent({ consent: token, decision }, cookie)), 400, /already used/);
            }
        });

        it("refuses a POST a browser says came from another site (Fetch Metadata)", async () => {
            const handler = facade();
            const { token, cookie } = await page(handler);
            for (const site of ["cross-site", "same-site", "none"]) {
                expectRefused(await handler(consentEvent({ consent: token, decision: "allow" }, cookie, { "Sec-Fetch-Site": site })), 403, /not sent from this server&#39;s own page/);
            }
        });
    });

    describe("the replay set (usedTokens.ts)", () => {
        it("forgets an entry once its token has expired, and stays within its capacity", () => {
            let clock = 0;
            const used = new UsedTokens(() => clock, 3);
            expect(used.use("a", 100)).to.be.true;
            expect(used.use("a", 100)).to.be.false;
            clock = 100;
            expect(used.use("a", 200), "expired, so a token with it could not be opened anyway").to.be.true;
            for (const id of ["b", "c", "d", "e"]) {
                expect(used.use(id, 1000)).to.be.true;
            }
            // Full: the oldest went first.
            expect(used.use("e", 1000)).to.be.false;
            expect(used.use("a", 1000)).to.be.true;
        });
    });
});
