import { expect } from "chai";
import * as z from "zod/mini";
import { routeList, routes, type RouteEntry } from "../handler/routes";
import { apiLevelSettings, restApiDocument } from "../infra/restApiDocument";
import { grantSid, grantStatements, isWildcardAction, isWildcardResource, tableGroups } from "../infra/grants";
import { generatedOperationIds, operationIdsOf, routeTableProblems } from "../infra/routeTable";
import { runProgram } from "./harness";

const TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/orders";
/** The wildcard refusal: the route, the grant, the value, and both fixes. */
const WILDCARD = (value: string) => new RegExp(`^ok: grant 1 has the wildcard ${value.replace(/[*?.+[\]()]/g, "\\$&")}.*list the exact actions .* or, if it must stay, say why in the grant's allowWildcard`);

const base: RouteEntry = {
    operationId: "ok",
    method: "POST",
    path: "/ok",
    summary: "Does it.",
    description: "Does it well.",
    consequential: false,
    response: { description: "Done.", schema: z.object({ done: z.boolean() }) },
};

describe("route table", () => {
    it("ships without problems", () => {
        expect(routeTableProblems(routeList())).to.deep.equal([]);
    });

    const bad: Array<[string, RouteEntry[], RegExp]> = [
        ["no routes", [], /no routes/],
        ["a path without a leading slash", [{ ...base, path: "ok" }], /path "ok"/],
        ["a path with a parameter or dots", [{ ...base, path: "/items/{id}" }], /path/],
        ["two routes on one method and path", [base, { ...base, operationId: "again" }], /POST \/ok is already taken/],
        ["a description over 300 characters", [{ ...base, description: "x".repeat(301) }], /description must be 1-300/],
        ["a tool description over 200 characters", [{ ...base, summary: "s".repeat(100), description: "d".repeat(99) }], /ok: as an MCP tool its description .* is 201 characters; keep it within 200/],
        ["an empty summary", [{ ...base, summary: " " }], /summary must be 1-300/],
        ["an operationId with a hyphen", [{ ...base, operationId: "get-it" }], /operationId/],
        ["a GET route with a body", [{ ...base, method: "GET", request: z.object({}) }], /GET route cannot take a request body/],
        ["the MCP endpoint's path", [{ ...base, path: "/mcp" }], /is the MCP endpoint's/],
        ["the OAuth facade's prefix", [{ ...base, path: "/oauth" }], /under \/oauth are the OAuth facade's/],
        ["an OAuth facade endpoint", [{ ...base, path: "/oauth/token" }], /under \/oauth are the OAuth facade's/],
        ["any path under the OAuth facade's prefix", [{ ...base, path: "/oauth/mine/too" }], /under \/oauth are the OAuth facade's/],
        // The web ACL exempts Cognito's /oauth2/token and /oauth2/revoke from three rules (H8); no route may share it.
        ["Cognito's token path, which the web ACL exempts", [{ ...base, path: "/oauth2/token" }], /under \/oauth2 are Cognito's OAuth endpoints' name/],
        ["any path under /oauth2", [{ ...base, path: "/oauth2/mine" }], /under \/oauth2 are Cognito's/],
        // Who may call it (issue 24): the cognito:groups claim reaches the handler as one string split on , space [ ].
        ["a group name with a comma", [{ ...base, groups: ["finance,hr"] }], /^ok: group "finance,hr" must be 1-128 letters, digits or "_ \. - @ \+" .*rename it/],
        ["a group name with a space", [{ ...base, groups: ["sales team"] }], /^ok: group "sales team" must be/],
        ["a group name with a bracket", [{ ...base, groups: ["[admins]"] }], /^ok: group "\[admins\]" must be/],
        ["an empty group name", [{ ...base, groups: [""] }], /^ok: group "" must be 1-128/],
        ["a group name over 128 characters", [{ ...base, groups: ["g".repeat(129)] }], /^ok: group "g+" must be 1-128/],
        ["a group listed twice", [{ ...base, groups: ["finance", "hr", "finance"] }], /^ok: group "finance" is listed more than once; list it once/],
        ["a grant without actions", [{ ...base, grants: [{ actions: [], resources: ["arn:aws:s3:::b/*"] }] }], /^ok: grant 1 needs at least one action and one resource/],
        ["a grant without resources", [{ ...base, grants: [{ actions: ["s3:GetObject"], resources: [] }] }], /^ok: grant 1 needs at least one action and one resource/],
        ["an action that is not service:Action", [{ ...base, grants: [{ actions: ["GetItem"], resources: [TABLE] }] }], /^ok: grant 1: action "GetItem" must be service:Action/],
        ["a resource that is not an ARN", [{ ...base, grants: [{ actions: ["dynamodb:GetItem"], resources: ["orders"] }] }], /^ok: grant 1: resource "orders" must be an ARN/],
        ["the action *", [{ ...base, grants: [{ actions: ["*"], resources: [TABLE] }] }], WILDCARD('action "*"')],
        ["the action service:*", [{ ...base, grants: [{ actions: ["dynamodb:*"], resources: [TABLE] }] }], WILDCARD('action "dynamodb:*"')],
        ["a partial wildcard action", [{ ...base, grants: [{ actions: ["dynamodb:GetItem", "dynamodb:Get*"], resources: [TABLE] }] }], WILDCARD('action "dynamodb:Get*"')],
        ["the resource *", [{ ...base, grants: [{ actions: ["dynamodb:GetItem"], resources: ["*"] }] }], WILDCARD('resource "*"')],
        ["a resource in every region", [{ ...base, grants: [{ actions: ["dynamodb:GetItem"], resources: ["arn:aws:dynamodb:*:123456789012:table/orders"] }] }], WILDCARD("resource")],
        ["a resource that is every resource of an account", [{ ...base, grants: [{ actions: ["dynamodb:GetItem"], resources: ["arn:aws:dynamodb:us-east-1:123456789012:*"] }] }], WILDCARD("resource")],
        ["a wildcard whose allowWildcard is blank", [{ ...base, grants: [{ actions: ["s3:*"], resources: ["arn:aws:s3:::b/*"], allowWildcard: " " }] }], WILDCARD('action "s3:*"')],
        ["allowWildcard without a wildcard", [{ ...base, grants: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b/*"], allowWildcard: "why" }] }], /^ok: grant 1 has allowWildcard but no wildcard; remove allowWildcard/],
        ["two routes whose grants' statement ids collide", [
            { ...base, operationId: "get_it", grants: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b/*"] }] },
            { ...base, operationId: "getit", path: "/other", grants: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b/*"] }] },
        ], /^getit: its grants' statement ids \(RoutegetitGrant1\) are get_it's too/],
    ];
    for (const [what, table, message] of bad) {
        it(`reports ${what}`, () => {
            const problems = routeTableProblems(table);
            expect(problems).to.have.lengthOf(1);
            expect(problems[0]).to.match(message);
        });
    }

    // OpenAPI: operationIds are unique; the document adds /mcp's and the OAuth facade's (review 2026-12-06, N5).
    for (const generatedId of ["mcp", "oauthAuthorize", "oauthCallback", "oauthConsent", "oauthToken", "oauthRevoke"]) {
        it(`reports a route whose operationId is the document's own ${generatedId}`, () => {
            const problems = routeTableProblems([{ ...base, operationId: generatedId, path: "/mine" }]);
            expect(problems).to.have.lengthOf(1);
            expect(problems[0]).to.match(new RegExp(`^${generatedId}: operationId ${generatedId} is one the API document gives its own operations .*rename it in handler/routes.ts`));
        });
    }

    it("reads the generated operationIds off the document, which has no others", () => {
        expect([...generatedOperationIds()].sort()).to.deep.equal(["mcp", "oauthAuthorize", "oauthCallback", "oauthConsent", "oauthRevoke", "oauthToken"]);
    });

    it("gives the shipped document, with MCP and CORS on, unique operationIds", () => {
        const ids = operationIdsOf(restApiDocument({
            settings: apiLevelSettings(false), title: "t", description: "d", routes: routeList(), userPoolArn: "arn:pool", scopes: ["openid"], invokeArn: "arn:invoke",
            corsAllowOrigin: "*", mcp: { scope: "s", documents: {}, challenge: "Bearer", facadeInvokeArn: "arn:facade" },
        }));
        expect(ids).to.include.members([...generatedOperationIds(), ...routeList().map((r) => r.operationId)]);
        expect(new Set(ids).size).to.equal(ids.length);
    });

    it("takes a tool description of exactly 200 characters, and one where summary and description are the same", () => {
        expect(routeTableProblems([{ ...base, summary: "s".repeat(100), description: "d".repeat(98) }])).to.deep.equal([]);
        expect(routeTableProblems([{ ...base, summary: "x".repeat(200), description: "x".repeat(200) }])).to.deep.equal([]);
    });

    it("leaves paths that merely start with the letters oauth to the table", () => {
        for (const path of ["/oauthx", "/oauth_tokens", "/my/oauth", "/oauth22", "/my/oauth2/token"]) {
            expect(routeTableProblems([{ ...base, path }]), path).to.deep.equal([]);
        }
    });

    it("takes sound groups and grants, and a wildcard that says why", () => {
        const table: RouteEntry[] = [{
            ...base,
            groups: ["finance", "sales.emea", "ops-team_1", "a@b+c"],
            grants: [
                { actions: ["dynamodb:GetItem", "dynamodb:Query"], resources: [TABLE, `${TABLE}/index/*`] },
                { actions: ["s3:GetObject"], resources: ["arn:aws:s3:::reports/*"] },
                { actions: ["dynamodb:Get*"], resources: [TABLE], allowWildcard: "reads through the table's every Get API" },
            ],
        }];
        expect(routeTableProblems(table)).to.deep.equal([]);
    });

    it("names one statement per grant after its route, with letters and digits only (IAM's Sid)", () => {
        const table: RouteEntry[] = [{ ...base, operationId: "get_orders", grants: [
            { actions: ["dynamodb:GetItem"], resources: [TABLE] },
            { actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b/*"] },
        ] }, { ...base, operationId: "open", path: "/open" }];
        expect(grantSid("get_orders", 0)).to.equal("RoutegetordersGrant1");
        expect(grantStatements(table)).to.deep.equal([
            { Sid: "RoutegetordersGrant1", Effect: "Allow", Action: ["dynamodb:GetItem"], Resource: [TABLE] },
            { Sid: "RoutegetordersGrant2", Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::b/*"] },
        ]);
        for (const { Sid } of grantStatements(table)) {
            expect(Sid).to.match(/^[A-Za-z0-9]+$/);
        }
    });

    it("lists each group the table names once", () => {
        expect(tableGroups([{ ...base, groups: ["hr", "finance"] }, { ...base, groups: ["finance"] }, base])).to.deep.equal(["finance", "hr"]);
    });

    it("counts partial wildcards and account-wide ARNs as wildcards, not a wildcard within one named resource", () => {
        expect(["*", "s3:*", "dynamodb:Get*", "s3:Get?bject"].filter(isWildcardAction)).to.have.lengthOf(4);
        expect(isWildcardAction("dynamodb:GetItem")).to.equal(false);
        expect(["*", "arn:aws:s3:::*", "arn:*:s3:::b", "arn:aws:dynamodb:us-east-1:*:table/t", "arn:aws:dynamodb:us-east-1:1:*"].filter(isWildcardResource)).to.have.lengthOf(5);
        expect(["arn:aws:s3:::b/*", `${TABLE}/index/*`, TABLE].filter(isWildcardResource)).to.deep.equal([]);
    });

    it("stops the program before deploying a bad table", async () => {
        const original = routes.postSuccess.description;
        const mutable = routes.postSuccess as { description: string };
        mutable.description = "x".repeat(301);
        try {
            let error: unknown;
            try {
                await runProgram();
            } catch (err) {
                error = err;
            }
            expect(String(error)).to.match(/route table has problems[\s\S]*postSuccess: description/);
        } finally {
            mutable.description = original;
        }
    });
});
