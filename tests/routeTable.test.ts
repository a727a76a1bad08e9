import { expect } from "chai";
import * as z from "zod/mini";
import { routeList, routes, type RouteEntry } from "../handler/routes";
import { apiLevelSettings, restApiDocument } from "../infra/restApiDocument";
import { generatedOperationIds, operationIdsOf, routeTableProblems } from "../infra/routeTable";
import { runProgram } from "./harness";

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
