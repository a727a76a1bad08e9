/**
 * With `waf` on, the OAuth facade's traffic gets through AWS's core rule set while every other path keeps it whole:
 * the web ACL's rules under Pulumi's mocks (exactly the intended overrides and the label rule that re-blocks them
 * outside /oauth/), the path pattern against the paths API Gateway routes, and the facade's own side of
 * SizeRestrictions_QUERYSTRING: the sign-in request, and so the callback, stays under 2,048 bytes of query string.
 */
import { expect } from "chai";
import fc from "fast-check";
import { randomBytes, randomUUID } from "node:crypto";
import { createFacadeHandler } from "../handler/facade";
import { MAX_CLIENT_STATE_CHARS, MAX_QUERY_BYTES } from "../handler/facade/authorize";
import { sealState } from "../handler/facade/envelopes";
import { FACADE_PATHS } from "../handler/facade/paths";
import { facadeSettings } from "../handler/facade/settings";
import { logSink } from "../handler/log";
import { routeList } from "../handler/routes";
import { COGNITO_OAUTH_PATHS, FACADE_EXCEPTION_RULE, FACADE_EXEMPT_RULES, facadePathPattern, MANAGED_RULE_GROUPS, oauthEndpointPattern } from "../infra/waf";
import { getEvent, location, pkcePair } from "./facadeFixtures";
import { EVERYTHING_ON, runProgram, type Run } from "./harness";

interface Statement {
    readonly andStatement?: { readonly statements: Statement[] };
    readonly orStatement?: { readonly statements: Statement[] };
    readonly notStatement?: { readonly statement: Statement };
    readonly labelMatchStatement?: { readonly scope: string; readonly key: string };
    readonly regexMatchStatement?: { readonly regexString: string; readonly fieldToMatch: object; readonly textTransformations: object[] };
    readonly managedRuleGroupStatement?: {
        readonly vendorName: string;
        readonly name: string;
        readonly ruleActionOverrides?: Array<{ name: string; actionToUse: object }>;
        readonly scopeDownStatement?: Statement;
    };
}
interface Rule { readonly name: string; readonly priority: number; readonly action?: object; readonly overrideAction?: object; readonly statement: Statement }

const rulesOf = (run: Run) => (run.one("aws:wafv2/webAcl:WebAcl").inputs as { rules: Rule[]; defaultAction: object }).rules;

describe("WAF and the OAuth facade", () => {
    let run: Run;
    before(async () => {
        run = await runProgram(EVERYTHING_ON);
    });

    it("keeps the three managed groups whole but for the core rule set's counted rules, and adds one rule after them", () => {
        const rules = rulesOf(run);
        expect(rules.map((r) => [r.name, r.priority])).to.deep.equal([...MANAGED_RULE_GROUPS.map((g, i) => [g, i]), [FACADE_EXCEPTION_RULE, 3]]);
        expect((run.one("aws:wafv2/webAcl:WebAcl").inputs as { defaultAction: object }).defaultAction).to.deep.equal({ allow: {} });
        for (const rule of rules.slice(0, 3)) {
            expect(rule.overrideAction, rule.name).to.deep.equal({ none: {} });
            expect(rule.statement.managedRuleGroupStatement?.scopeDownStatement, rule.name).to.be.undefined;
        }
        // Only the core rule set has overrides: the 8 KB body rule (GPT bodies), and the rules that break OAuth.
        expect(rules[0].statement.managedRuleGroupStatement?.ruleActionOverrides).to.deep.equal([
            { name: "SizeRestrictions_BODY", actionToUse: { count: {} } },
            { name: "GenericRFI_QUERYARGUMENTS", actionToUse: { count: {} } },
            { name: "GenericRFI_BODY", actionToUse: { count: {} } },
            { name: "NoUserAgent_HEADER", actionToUse: { count: {} } },
        ]);
        expect(rules[1].statement.managedRuleGroupStatement?.ruleActionOverrides).to.be.undefined;
        expect(rules[2].statement.managedRuleGroupStatement?.ruleActionOverrides).to.be.undefined;
    });

    it("blocks, by label, every counted rule but the body-size one on every path outside the facade's and Cognito's token and revoke", () => {
        const rule = rulesOf(run)[3];
        expect(rule.action).to.deep.equal({ block: {} });
        const [labels, notFacade] = rule.statement.andStatement?.statements ?? [];
        expect(rule.statement.andStatement?.statements).to.have.lengthOf(2);
        // One label per counted rule but SizeRestrictions_BODY, each the core rule set's own ("Baseline rule groups").
        expect(labels.orStatement?.statements).to.deep.equal(Object.values(FACADE_EXEMPT_RULES).map((key) => ({ labelMatchStatement: { scope: "LABEL", key } })));
        const counted = rulesOf(run)[0].statement.managedRuleGroupStatement?.ruleActionOverrides?.map((o) => o.name) ?? [];
        expect(counted.filter((name) => name !== "SizeRestrictions_BODY")).to.deep.equal(Object.keys(FACADE_EXEMPT_RULES));
        for (const [name, label] of Object.entries(FACADE_EXEMPT_RULES)) {
            expect(label.toLowerCase(), name).to.equal(`awswaf:managed:aws:core-rule-set:${name.toLowerCase()}`);
        }
        expect(notFacade.notStatement?.statement).to.deep.equal({
            regexMatchStatement: { regexString: "^/Prod/oauth/[A-Za-z0-9_-]+$|^/oauth/[A-Za-z0-9_-]+$|^/oauth2/token$|^/oauth2/revoke$", fieldToMatch: { uriPath: {} }, textTransformations: [{ priority: 0, type: "NONE" }] },
        });
    });

    it("names the facade's paths only: every facade endpoint on the execute-api host and a custom domain, no route of the table, /mcp, or a path that could route elsewhere", () => {
        const facade = new RegExp(facadePathPattern("Prod"));
        for (const path of Object.values(FACADE_PATHS)) {
            expect(facade.test(`/Prod${path}`), path).to.be.true;
            expect(facade.test(path), path).to.be.true;
        }
        // An endpoint another change adds under /oauth (the route table reserves the prefix) is the facade's too.
        expect(facade.test("/Prod/oauth/consent")).to.be.true;
        const others = [
            ...routeList().flatMap((route) => [`/Prod${route.path}`, route.path]), "/Prod/mcp", "/mcp", "/Prod/.well-known/oauth-authorization-server",
            "/Prod/oauth/../mcp", "/Prod/oauth/%2e%2e/mcp", "/Prod/oauth/token/../../mcp", "/Prod/oauth/token/", "/Prod/oauth/", "/Prod/oauth",
            "/Prod/OAuth/token", "/Stage/oauth/token", "/Prod/mcp/oauth/token", "/Prod/oauth/token%2F..%2Fmcp", "/Prod/oauth/token?x=/mcp",
        ];
        for (const path of others) {
            expect(facade.test(path), path).to.be.false;
        }
    });

    it("exempts Cognito's token and revoke only, not its sign-in pages, authorize or userInfo, nor any route of the table", () => {
        // ChatGPT's back end redeems the GPT Action's code at Cognito's /oauth2/token, as MCP clients do at the facade's.
        const exempt = new RegExp(oauthEndpointPattern("Prod"));
        for (const path of COGNITO_OAUTH_PATHS) {
            expect(exempt.test(path), path).to.be.true;
        }
        const others = [
            "/oauth2/authorize", "/oauth2/userInfo", "/oauth2/idpresponse", "/login", "/logout", "/saml2/idpresponse",
            "/oauth2/token/", "/oauth2/token/x", "/Prod/oauth2/token", "/oauth2/../oauth2/token", "/OAUTH2/token",
            ...routeList().flatMap((route) => [`/Prod${route.path}`, route.path]), "/Prod/mcp", "/mcp",
        ];
        for (const path of others) {
            expect(exempt.test(path), path).to.be.false;
        }
    });

    it("protects the user pool with the same web ACL as the stage (H8)", () => {
        const acl = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/gpt-action-waf-acl/id";
        const associations = run.all("aws:wafv2/webAclAssociation:WebAclAssociation").map((a) => [a.name, a.inputs.resourceArn, a.inputs.webAclArn]);
        // The stage's association keeps its name, so an existing stack only adds the user pool's.
        expect(associations).to.have.deep.members([
            ["gpt-action-waf-association", "arn:aws:apigateway:us-east-1::/restapis/mockapi/stages/Prod", acl],
            ["gpt-action-waf-user-pool-association", "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_MockPool", acl],
        ]);
    });

    it("uses nothing Cognito refuses or breaks on a user pool: no ATP rule group, no CAPTCHA or challenge", () => {
        // "Associate an AWS WAF web ACL with a user pool": an ACL with AWSManagedRulesATPRuleSet cannot be associated;
        // a CAPTCHA can break managed login's TOTP registration.
        const rules = rulesOf(run);
        expect(rules.map((r) => r.statement.managedRuleGroupStatement?.name)).to.not.include("AWSManagedRulesATPRuleSet");
        const text = JSON.stringify(run.one("aws:wafv2/webAcl:WebAcl").inputs);
        expect(text).to.not.match(/captcha|challenge/i);
    });

    it("follows the stage name", async () => {
        const staged = await runProgram({ ...EVERYTHING_ON, stageName: "v1" });
        expect(rulesOf(staged)[3].statement.andStatement?.statements[1].notStatement?.statement.regexMatchStatement?.regexString).to.equal("^/v1/oauth/[A-Za-z0-9_-]+$|^/oauth/[A-Za-z0-9_-]+$|^/oauth2/token$|^/oauth2/revoke$");
    });

    it("makes no web ACL with waf off", async () => {
        const off = await runProgram({ waf: "false" });
        expect(off.all("aws:wafv2/webAcl:WebAcl")).to.be.empty;
        expect(off.all("aws:wafv2/webAclAssociation:WebAclAssociation")).to.be.empty;
    });
});

describe("the facade's sign-in request and SizeRestrictions_QUERYSTRING (2,048 bytes)", () => {
    // Long but real: an execute-api URL in a long region, a ChatGPT-style per-connector client and callback, and a
    // client id as long as that URL (sent to Cognito as is, so longer than the CIMD shadow client's id).
    const API = "https://abcdefghij.execute-api.ap-southeast-2.amazonaws.com/Prod";
    const CLIENT_ID = "chatgpt-connector-0123456789abcdefghijklmnopqrstuvwxyz-client";
    const REDIRECT = "https://chatgpt.com/connector/oauth/0123456789abcdefghijklmnopqrstuvwxyz";
    const COGNITO = "https://gpt-action-prod-482913.auth.ap-southeast-2.amazoncognito.com";
    const settings = facadeSettings({
        apiUrl: API,
        cognito: { authorizationEndpoint: `${COGNITO}/oauth2/authorize`, tokenEndpoint: `${COGNITO}/oauth2/token`, revocationEndpoint: `${COGNITO}/oauth2/revoke` },
        shadowClientId: "1example23456789abcdefghij",
        staticClients: { [CLIENT_ID]: [REDIRECT, `${REDIRECT}/${"x".repeat(1500)}`] },
    }, randomBytes(32));
    const facade = createFacadeHandler(settings);
    let write: typeof logSink.write;
    before(() => {
        write = logSink.write;
        logSink.write = () => undefined;
    });
    after(() => {
        logSink.write = write;
    });
    const authorize = (state: string, redirectUri = REDIRECT) => facade(getEvent(FACADE_PATHS.authorize, {
        response_type: "code", client_id: CLIENT_ID, redirect_uri: redirectUri, state, code_challenge: pkcePair().challenge, code_challenge_method: "S256",
        scope: `${API}/mcp/tools`, resource: `${API}/mcp`,
    }));
    /** Printable ASCII (RFC 6749's VSCHAR), the characters a client's state may hold. */
    const VSCHAR = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i));
    /** What Cognito sends to the callback: its code (a UUID) and the facade's state. */
    const callbackQuery = (signedState: string) => new URLSearchParams({ code: randomUUID(), state: signedState }).toString();

    it("seals the largest accepted state, of the characters that grow most, into a callback query under 2,048 bytes", () => {
        for (const char of ['"', "\\", "<"]) {
            const signed = sealState(settings.stateKey, { clientId: `https://chatgpt.com/oauth/${"a".repeat(36)}/client.json`, redirectUri: REDIRECT, state: char.repeat(MAX_CLIENT_STATE_CHARS), codeChallenge: pkcePair().challenge }, Date.now());
            expect(callbackQuery(signed).length, char).to.be.below(MAX_QUERY_BYTES);
            // Nothing the core rule set's other query rules look for: base64url and dots, its last part no file extension.
            expect(signed).to.match(/^[A-Za-z0-9_.-]+$/);
            expect(signed.split(".").at(-1)).to.have.length.above(8);
        }
    });

    it("takes the largest state a client may send, of any printable characters, into a request to Cognito under 2,048 bytes", async () => {
        const result = await authorize(VSCHAR.join("").repeat(6).slice(0, MAX_CLIENT_STATE_CHARS));
        const url = location(result);
        expect(url.origin).to.equal(COGNITO);
        expect(url.search.length - 1).to.be.at.most(MAX_QUERY_BYTES);
        expect(callbackQuery(url.searchParams.get("state") ?? "").length).to.be.below(MAX_QUERY_BYTES);
    });

    it("for any printable state up to the limit, sends the browser to Cognito under 2,048 bytes, or back to the client saying the state is too long", async () => {
        await fc.assert(fc.asyncProperty(fc.string({ unit: fc.constantFrom(...VSCHAR), maxLength: MAX_CLIENT_STATE_CHARS }), async (state) => {
            const url = location(await authorize(state));
            if (url.origin === COGNITO) {
                expect(url.search.length - 1).to.be.at.most(MAX_QUERY_BYTES);
                expect(callbackQuery(url.searchParams.get("state") ?? "").length).to.be.at.most(MAX_QUERY_BYTES);
            } else {
                expect(url.searchParams.get("error")).to.equal("invalid_request");
                expect(url.searchParams.get("error_description")).to.match(/state is too long for this client/);
            }
        }), { numRuns: 60 });
    });

    it("always accepts a state of URL-safe characters up to the limit (what clients send)", async () => {
        const url = location(await authorize(randomBytes(MAX_CLIENT_STATE_CHARS).toString("base64url").slice(0, MAX_CLIENT_STATE_CHARS)));
        expect(url.origin).to.equal(COGNITO);
    });

    it("refuses a longer or non-ASCII state, and a state too long beside a long redirect URI, each with its reason", async () => {
        const reasons = async (state: string, redirectUri?: string) => location(await authorize(state, redirectUri)).searchParams.get("error_description");
        expect(await reasons("s".repeat(MAX_CLIENT_STATE_CHARS + 1))).to.equal(`state is over ${MAX_CLIENT_STATE_CHARS} characters.`);
        expect(await reasons("café")).to.match(/printable ASCII/);
        expect(await reasons("s".repeat(200), `${REDIRECT}/${"x".repeat(1500)}`)).to.match(/state is too long for this client: the sign-in request would exceed 2048 bytes/);
    });
});
