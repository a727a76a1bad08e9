/**
 * D5 (review 2026-12-06): upgrading a stack deployed before the REST API became one document. The fixture is that
 * stack's state, recorded from the program as it stood before issue 16 (commit 9c17a0b's parent, run under its own
 * mocks on the test stack file) and written in `pulumi stack export`'s version 3 shape; long strings are cut.
 * What `pulumi up` would delete is what the state holds and the program no longer declares.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
    API_COMPONENT_TYPE, DEFINITION_TYPES, legacyDefinition, nameOfUrn, parseExport, withoutLegacyDefinition, type StackExport, type StateResource,
} from "../scripts/documentMigration";
import { resourceKey, runProgram, type Run } from "./harness";

const FIXTURE = path.join(__dirname, "fixtures", "pre-document-stack.json");
const ROOT = path.join(__dirname, "..");

const readFixture = (): StackExport => parseExport(JSON.parse(fs.readFileSync(FIXTURE, "utf8")));
const resourcesOf = (exported: StackExport): readonly StateResource[] => exported.deployment.resources ?? [];
/** The "type name" key the harness gives a declared resource, for a resource of the state. */
const keyOf = (r: StateResource): string => `${r.type} ${nameOfUrn(r.urn)}`;

/** What `pulumi up` of today's program would delete from `exported`: custom resources it no longer declares. */
function deletes(exported: StackExport, run: Run): StateResource[] {
    const declared = new Set(run.resources.map(resourceKey));
    return resourcesOf(exported).filter((r) => r.custom && !r.type.startsWith("pulumi:providers:") && !declared.has(keyOf(r)));
}

describe("migrating a stack deployed before the one-document API (D5)", function () {
    this.timeout(60_000);
    let run: Run;
    before(async () => {
        run = await runProgram();
    });

    it("shows the danger: today's program would delete the old per-route definition the import re-creates", () => {
        const types = new Set(deletes(readFixture(), run).map((r) => r.type));
        for (const type of ["aws:apigateway/model:Model", "aws:apigateway/method:Method", "aws:apigateway/response:Response"]) {
            expect(types, type).to.include(type);
        }
    });

    it("takes every per-route API Gateway resource of the API component out of the state, and nothing else", () => {
        const exported = readFixture();
        const removed = legacyDefinition(exported);
        const expected = resourcesOf(exported).filter((r) => DEFINITION_TYPES.includes(r.type));
        expect(removed.map((r) => r.urn)).to.have.members(expected.map((r) => r.urn));
        expect(removed.every((r) => r.parent?.includes(`::${API_COMPONENT_TYPE}::`) === true)).to.be.true;
        const { migrated } = withoutLegacyDefinition(exported);
        expect(resourcesOf(migrated).map((r) => r.urn)).to.deep.equal(resourcesOf(exported).map((r) => r.urn).filter((urn) => !removed.some((r) => r.urn === urn)));
    });

    it("leaves pulumi up only deletes that are safe: the per-route Lambda permissions, no definition resource", () => {
        const { migrated } = withoutLegacyDefinition(readFixture());
        const left = deletes(migrated, run);
        expect(left.filter((r) => DEFINITION_TYPES.includes(r.type))).to.deep.equal([]);
        expect([...new Set(left.map((r) => r.type))]).to.deep.equal(["aws:lambda/permission:Permission"]);
        const permissions = resourcesOf(readFixture()).filter((r) => r.type === "aws:lambda/permission:Permission");
        expect(left.map((r) => r.urn)).to.include.members(permissions.map((r) => r.urn));
    });

    it("leaves no reference to a removed resource, so pulumi stack import takes the file", () => {
        const { migrated } = withoutLegacyDefinition(readFixture());
        const urns = new Set(resourcesOf(migrated).map((r) => r.urn));
        for (const r of resourcesOf(migrated)) {
            const referenced = [r.parent, r.deletedWith, ...(r.dependencies ?? []), ...Object.values(r.propertyDependencies ?? {}).flat()];
            for (const urn of referenced.filter((u): u is string => u !== undefined)) {
                expect(urns.has(urn), `${r.urn} refers to ${urn}`).to.be.true;
            }
        }
        // The old deployment depended on the whole per-route definition; it keeps its other dependencies.
        const deployment = resourcesOf(migrated).find((r) => r.type === "aws:apigateway/deployment:Deployment");
        const before = resourcesOf(readFixture()).find((r) => r.type === "aws:apigateway/deployment:Deployment");
        expect(before?.dependencies?.length).to.be.greaterThan(10);
        expect(deployment?.dependencies).to.deep.equal(before?.dependencies?.filter((urn) => urns.has(urn)));
        expect(deployment?.dependencies).to.include(resourcesOf(migrated).find((r) => r.type === "aws:apigateway/restApi:RestApi")?.urn);
    });

    it("is idempotent: a migrated state has nothing left to migrate", () => {
        const { migrated } = withoutLegacyDefinition(readFixture());
        expect(withoutLegacyDefinition(migrated).removed).to.deep.equal([]);
    });

    it("refuses what is not a version 3 export, and a state with an operation pending on a removed resource", () => {
        expect(() => parseExport({ version: 2, deployment: {} })).to.throw(/version 3/);
        expect(() => parseExport({ resources: [] })).to.throw(/pulumi stack export --file/);
        const exported = readFixture();
        const method = legacyDefinition(exported)[0];
        const interrupted = { ...exported, deployment: { ...exported.deployment, pending_operations: [{ resource: method, type: "deleting" }] } };
        expect(() => withoutLegacyDefinition(interrupted)).to.throw(/pulumi cancel/);
    });

    it("writes the migrated export and prints the next commands (npm run migrate-state)", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gpt-action-migrate-"));
        try {
            const output = path.join(dir, "migrated.json");
            const result = spawnSync(process.execPath, ["--require", "tsx/cjs", "scripts/documentMigration.ts", FIXTURE, output], { cwd: ROOT, encoding: "utf8" });
            expect(result.status, result.stderr).to.equal(0);
            expect(JSON.parse(fs.readFileSync(output, "utf8"))).to.deep.equal(withoutLegacyDefinition(readFixture()).migrated);
            expect(result.stdout).to.include(`pulumi stack import --file ${output}`).and.include("gpt-action-getSalesReport-model");
            const again = spawnSync(process.execPath, ["--require", "tsx/cjs", "scripts/documentMigration.ts", output, path.join(dir, "twice.json")], { cwd: ROOT, encoding: "utf8" });
            expect(again.stdout).to.match(/^Nothing to migrate/);
            expect(fs.existsSync(path.join(dir, "twice.json"))).to.be.false;
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
