/**
 * Who may call what, in the stack (issue 24): the groups the route table names become Cognito groups, the test user
 * joins testUserGroups, and the routes' grants become the handler role's statements, and nothing else does.
 */
import { expect } from "chai";
import type { Grant } from "../handler/routes";
import { grantSid } from "../infra/grants";
import { runProgram, type Run } from "./harness";
import { withAccess, type AccessEdits } from "./routeAccess";

const GROUP = "aws:cognito/userGroup:UserGroup";
const IN_GROUP = "aws:cognito/userInGroup:UserInGroup";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const TABLE_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/sales";

interface Statement { Sid?: string; Effect: string; Action: string[] | string; Resource: string[] | string }
const statementsOf = (run: Run, name: string) => (JSON.parse(String(run.one(ROLE_POLICY, name).inputs.policy)) as { Statement: Statement[] }).Statement;

async function programError(overrides: Record<string, string>, edits: AccessEdits): Promise<string> {
    return withAccess(edits, async () => {
        try {
            await runProgram(overrides);
        } catch (error) {
            return String(error);
        }
        throw new Error("the program ran");
    });
}

const READ_SALES: Grant = { actions: ["dynamodb:GetItem", "dynamodb:Query"], resources: [TABLE_ARN] };
const WRITE_REPORTS: Grant = { actions: ["s3:PutObject"], resources: ["arn:aws:s3:::reports/*"] };
const EDITS = {
    getSalesReport: { groups: ["finance", "sales.emea"], grants: [READ_SALES, WRITE_REPORTS] },
    postSuccess: { groups: ["finance"] },
};

describe("who may call what, in the stack", () => {
    let plain: Run;
    let restricted: Run;
    before(async () => {
        plain = await runProgram({ testUserEmail: "john@example.com" });
        restricted = await withAccess(EDITS, () => runProgram({ testUserEmail: "john@example.com", testUserGroups: JSON.stringify(["finance"]) }));
    });

    it("creates no group, membership or extra statement when no route names one (the shipped table)", () => {
        expect(plain.all(GROUP)).to.be.empty;
        expect(plain.all(IN_GROUP)).to.be.empty;
        expect(statementsOf(plain, "handler-logs-policy").filter((s) => s.Sid !== undefined)).to.be.empty;
    });

    it("creates each group the table names once, in the user pool, named after it", () => {
        const groups = restricted.all(GROUP);
        expect(groups.map((g) => g.name).sort()).to.deep.equal(["gpt-action-group-finance", "gpt-action-group-sales.emea"]);
        expect(groups.map((g) => g.inputs.name).sort()).to.deep.equal(["finance", "sales.emea"]);
        for (const group of groups) {
            expect(group.inputs.userPoolId).to.equal("us-east-1_MockPool");
        }
    });

    it("adds the test user to testUserGroups, and to no other group", () => {
        const memberships = restricted.all(IN_GROUP);
        expect(memberships.map((m) => m.name)).to.deep.equal(["gpt-action-test-user-in-finance"]);
        expect(memberships[0].inputs).to.deep.include({ userPoolId: "us-east-1_MockPool", username: "john@example.com", groupName: "finance" });
    });

    it("puts each route's grants in the handler's role policy, one statement each named after the route, and nothing else", () => {
        const before = statementsOf(plain, "handler-logs-policy");
        const after = statementsOf(restricted, "handler-logs-policy");
        expect(after.slice(0, before.length)).to.deep.equal(before);
        expect(after.slice(before.length)).to.deep.equal([
            { Sid: grantSid("getSalesReport", 0), Effect: "Allow", Action: READ_SALES.actions, Resource: READ_SALES.resources },
            { Sid: grantSid("getSalesReport", 1), Effect: "Allow", Action: WRITE_REPORTS.actions, Resource: WRITE_REPORTS.resources },
        ]);
        expect(after.slice(before.length).map((s) => s.Sid)).to.deep.equal(["RoutegetSalesReportGrant1", "RoutegetSalesReportGrant2"]);
    });

    it("gives the OAuth facade's role none of the grants", () => {
        expect(statementsOf(restricted, "oauth-logs-policy")).to.deep.equal(statementsOf(plain, "oauth-logs-policy"));
    });

    it("changes only the groups and the handler's role policy when a route is kept to a group and granted access", () => {
        const key = (r: { type: string; name: string }) => `${r.type} ${r.name}`;
        const added = restricted.resources.map(key).filter((k) => !plain.resources.map(key).includes(k));
        expect(added.sort()).to.deep.equal([`${GROUP} gpt-action-group-finance`, `${GROUP} gpt-action-group-sales.emea`, `${IN_GROUP} gpt-action-test-user-in-finance`]);
    });

    it("refuses a wildcard grant at config time, naming the route, the value and the fix", async () => {
        const error = await programError({}, { getSalesReport: { grants: [{ actions: ["dynamodb:*"], resources: [TABLE_ARN] }] } });
        expect(error).to.match(/getSalesReport: grant 1 has the wildcard action "dynamodb:\*".*list the exact actions .* allowWildcard/);
    });

    it("takes a wildcard grant whose allowWildcard says why, into the policy as declared", async () => {
        const grant = { actions: ["s3:GetObject"], resources: ["arn:aws:s3:::*"], allowWildcard: "reads whichever bucket the user names" };
        const run = await withAccess({ getSalesReport: { grants: [grant] } }, () => runProgram());
        expect(statementsOf(run, "handler-logs-policy").at(-1)).to.deep.equal({ Sid: "RoutegetSalesReportGrant1", Effect: "Allow", Action: grant.actions, Resource: grant.resources });
    });

    it("refuses testUserGroups naming a group no route names, with the fix", async () => {
        const error = await programError({ testUserEmail: "john@example.com", testUserGroups: JSON.stringify(["finance", "hr"]) }, EDITS);
        expect(error).to.match(/testUserGroups\[1\] = "hr" is not a group the route table names \(finance, sales\.emea\); add it to a route's groups in handler\/routes\.ts, or remove it here\. Fix: pulumi config set --path 'testUserGroups\[1\]'/);
    });

    it("refuses testUserGroups when the table names no group at all", async () => {
        const error = await programError({ testUserGroups: JSON.stringify(["finance"]) }, {});
        expect(error).to.match(/testUserGroups\[0\] = "finance" is not a group the route table names \(it names none\)/);
    });
});
