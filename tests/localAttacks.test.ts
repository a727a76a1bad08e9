/**
 * Local mode against the attack run of 2026-12-06 (F3, F4, F5 and the cross-site login POST): headers named like
 * Object.prototype members, a flood of failed logins under other names, huge usernames, forms posted from elsewhere.
 */
import { expect } from "chai";
import { request } from "node:http";
import { Lockout, MAX_USERNAME_LENGTH } from "../local/lockout";
import { localModeForSuite } from "./localMode";

/** GETs `url` with extra raw headers (fetch would refuse none of these names, but node:http keeps them as sent). */
function getStatus(url: string, headers: Record<string, string>): Promise<number | undefined> {
    return new Promise((resolve, reject) => {
        request(url, { headers }, (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode));
        }).on("error", reject).end();
    });
}

describe("local mode under the 2026-12-06 attacks", function () {
    this.timeout(20_000);
    let now = Date.now();
    const local = localModeForSuite(() => ({ clock: () => now }));

    afterEach(() => {
        now += 60 * 60 * 1000;
    });

    const login = (username: string, password: string, headers: Record<string, string> = {}) => fetch(`${local().baseUrl}/login`, {
        method: "POST", redirect: "manual", headers,
        body: new URLSearchParams({
            response_type: "code", client_id: local().outputs.clientId, redirect_uri: local().outputs.callbackUrls[0], scope: "openid", state: "s",
            username, password,
        }),
    });
    const signsIn = async (headers: Record<string, string> = {}) =>
        (await login(local().outputs.testUser.username, local().outputs.testUser.password, headers)).headers.get("location")?.includes("code=") ?? false;

    it("passes a header named constructor, __proto__ or toString on to the function instead of answering 500", async () => {
        const url = `${local().outputs.apiUrl}/oauth/authorize?client_id=x`;
        const plain = await getStatus(url, {});
        expect(plain).to.equal(400);
        for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"]) {
            expect(await getStatus(url, { [name]: "1" }), name).to.equal(plain);
        }
    });

    it("refuses a sign-in form posted from another site, without counting it as a failure", async () => {
        const foreign: Array<Record<string, string>> = [{ "Sec-Fetch-Site": "cross-site" }, { "Sec-Fetch-Site": "same-site" }, { Origin: "https://evil.example" }, { Origin: "http://localhost:6274" }];
        for (const headers of foreign) {
            for (let i = 0; i < 6; i++) {
                const res = await login(local().outputs.testUser.username, "wrong", headers);
                expect(res.status, JSON.stringify(headers)).to.equal(403);
                expect(await res.text()).to.include("cross_site_request");
            }
        }
        expect(await signsIn(), "none of the refused attempts locked the user out").to.be.true;
    });

    it("accepts the login page's own form: same origin, or no browser headers at all", async () => {
        const origin = new URL(local().baseUrl).origin;
        expect(await signsIn({ "Sec-Fetch-Site": "same-origin", Origin: origin })).to.be.true;
        expect(await signsIn({ Origin: "null" })).to.be.true;
        expect(await signsIn()).to.be.true;
    });

    it(`never tracks a username over Cognito's ${MAX_USERNAME_LENGTH} characters, so a record stays small`, async () => {
        const long = `${"a".repeat(60 * 1024)}@example.com`;
        for (let i = 0; i < 6; i++) {
            expect(await (await login(long, "wrong")).text()).to.include("Incorrect username or password.");
        }
        const longest = `${"b".repeat(MAX_USERNAME_LENGTH - 12)}@example.com`;
        for (let i = 0; i < 5; i++) {
            await login(longest, "wrong");
        }
        expect(await (await login(longest, "wrong")).text(), "a name of exactly 128 characters is tracked").to.include("Password attempts exceeded");
    });
});

describe("the emulated lockout under a flood of other usernames", () => {
    const lockOut = (lockout: Lockout, username: string) => {
        for (let i = 0; i < 5; i++) {
            lockout.failed(username);
        }
    };
    const flood = (lockout: Lockout, count: number) => {
        for (let i = 0; i < count; i++) {
            lockout.failed(`flood-${i}@example.com`);
        }
    };

    it("keeps a local user locked out after 10,050 failures under other names", () => {
        const lockout = new Lockout(() => 0, ["victim@example.com"]);
        lockOut(lockout, "victim@example.com");
        flood(lockout, 10_050);
        expect(lockout.allows("victim@example.com")).to.be.false;
    });

    it("keeps an unknown username locked out too, evicting unlocked records instead, and stays bounded", () => {
        const lockout = new Lockout(() => 0, []);
        lockOut(lockout, "nobody@example.com");
        flood(lockout, 10_050);
        expect(lockout.allows("nobody@example.com")).to.be.false;
        expect(lockout.trackedUnknown).to.equal(10_000);
    });

    it("forgets records 15 minutes after the last attempt, as before", () => {
        let now = 0;
        const lockout = new Lockout(() => now, ["victim@example.com"]);
        lockOut(lockout, "victim@example.com");
        now += 1000 + 15 * 60 * 1000;
        expect(lockout.allows("victim@example.com")).to.be.true;
        lockout.failed("victim@example.com");
        expect(lockout.allows("victim@example.com"), "the count started over").to.be.true;
    });
});
