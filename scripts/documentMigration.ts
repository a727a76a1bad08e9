/**
 * `npm run migrate-state -- <export.json> [<migrated.json>]`: readies the state of a stack deployed before the REST
 * API became one OpenAPI document (issue 16) for its first `pulumi up` with this version (review 2026-12-06, D5).
 *
 * Such a state holds the API's definition as per-route resources (Authorizer, Resource, RequestValidator, Model,
 * Method, Integration, MethodResponse, IntegrationResponse, gateway Response). The program no longer declares them,
 * so `pulumi up` deletes them, and it does so at the end, after the RestApiPut's overwrite import has re-created
 * the same objects under the same names (pulumi/pulumi#9979): DeleteModel on a model the new methods use fails with
 * a 409, and the other deletes remove or reset parts of the imported definition. The import owns those objects now,
 * so they leave the state without a delete: this script writes the export without them, and without every
 * reference to them (the old Deployment depends on all of them), for `pulumi stack import`.
 *
 * Why not `pulumi state delete`: it refuses a resource that others depend on ("Resources can't be deleted if other
 * resources depend on it or are parented to it", Pulumi CLI docs), and the old Deployment depends on every one; with
 * --target-dependents it would drop that Deployment from the state too, leaving the one the stage serves orphaned.
 * Not `retainOnDelete` or `deletedWith` in the program: both are options of a declared resource, and these are no
 * longer declared (`deletedWith` also skips a delete only when the named resource is deleted too). The per-route
 * Lambda permissions stay in the state: the import does not touch a function's policy, so `pulumi up` must delete
 * them, and does so safely.
 */
import * as fs from "node:fs";

/** The API definition's resource types that the overwrite import now owns, by Pulumi type token. */
export const DEFINITION_TYPES: readonly string[] = [
    "aws:apigateway/authorizer:Authorizer",
    "aws:apigateway/resource:Resource",
    "aws:apigateway/requestValidator:RequestValidator",
    "aws:apigateway/model:Model",
    "aws:apigateway/method:Method",
    "aws:apigateway/integration:Integration",
    "aws:apigateway/methodResponse:MethodResponse",
    "aws:apigateway/integrationResponse:IntegrationResponse",
    "aws:apigateway/response:Response",
];

/** The component whose children they are (infra/api.ts). */
export const API_COMPONENT_TYPE = "gpt-action:api:GptActionApi";

/**
 * A resource of a version 3 export: the fields this script reads or edits; the rest pass through untouched
 * (Pulumi Cloud REST API, "AppResourceV3": urn, custom, id, type, parent, dependencies, propertyDependencies,
 * deletedWith, …).
 */
export interface StateResource {
    readonly urn: string;
    readonly type: string;
    readonly custom: boolean;
    readonly id?: string;
    readonly parent?: string;
    readonly dependencies?: readonly string[];
    readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
    readonly deletedWith?: string;
    readonly [field: string]: unknown;
}

/** `pulumi stack export`'s JSON ("AppDeploymentV3"); `version` 3 is the schema every current CLI writes. */
export interface StackExport {
    readonly version: number;
    readonly deployment: {
        readonly resources?: readonly StateResource[];
        readonly pending_operations?: ReadonlyArray<{ readonly resource: StateResource; readonly type: string }>;
        readonly [field: string]: unknown;
    };
}

/** Reads and checks an export, naming what to run when it is not one. */
export function parseExport(value: unknown): StackExport {
    const candidate = value as Partial<StackExport> | null;
    if (typeof candidate !== "object" || candidate === null || typeof candidate.deployment !== "object" || candidate.deployment === null) {
        throw new Error("Not a stack export: write one with pulumi stack export --file <export.json>.");
    }
    if (candidate.version !== 3) {
        throw new Error(`This reads version 3 exports (pulumi stack export with Pulumi CLI 3.x); this one is version ${String(candidate.version)}.`);
    }
    const resources = candidate.deployment.resources ?? [];
    if (!Array.isArray(resources) || resources.some((r: Partial<StateResource>) => typeof r.urn !== "string" || typeof r.type !== "string")) {
        throw new Error("The export's deployment.resources is not a list of resources with urn and type.");
    }
    return candidate as StackExport;
}

/** The type token at the end of a URN's type chain (urn:pulumi:<stack>::<project>::<parent types$…>$<type>::<name>). */
const typeOfUrn = (urn: string): string => (urn.split("::")[2] ?? "").split("$").pop() ?? "";

/** The logical name a URN ends with. */
export const nameOfUrn = (urn: string): string => urn.split("::").slice(3).join("::");

/** The per-route definition resources of the API component: what must leave the state without a delete. */
export function legacyDefinition(exported: StackExport): StateResource[] {
    return (exported.deployment.resources ?? []).filter((r) =>
        DEFINITION_TYPES.includes(r.type) && r.parent !== undefined && typeOfUrn(r.parent) === API_COMPONENT_TYPE);
}

/**
 * The export without the legacy definition resources, every reference to them removed from the others
 * (dependencies, propertyDependencies, deletedWith). Throws if one is still parent of a kept resource or has an
 * operation pending (an interrupted update: `pulumi cancel`, then `pulumi refresh`, then export again).
 */
export function withoutLegacyDefinition(exported: StackExport): { migrated: StackExport; removed: StateResource[] } {
    const removed = legacyDefinition(exported);
    const gone = new Set(removed.map((r) => r.urn));
    const kept = (exported.deployment.resources ?? []).filter((r) => !gone.has(r.urn));
    const orphans = kept.filter((r) => r.parent !== undefined && gone.has(r.parent));
    if (orphans.length > 0) {
        throw new Error(`These resources are children of removed ones; migrate by hand: ${orphans.map((r) => r.urn).join(", ")}`);
    }
    const pending = (exported.deployment.pending_operations ?? []).filter((op) => gone.has(op.resource.urn));
    if (pending.length > 0) {
        throw new Error(`An interrupted update left operations pending on ${pending.map((op) => op.resource.urn).join(", ")}: run pulumi cancel (if it still runs) and pulumi refresh, then export again.`);
    }
    const cleaned = kept.map((r): StateResource => {
        const edited: Record<string, unknown> = { ...r };
        if (r.dependencies !== undefined) {
            edited.dependencies = r.dependencies.filter((urn) => !gone.has(urn));
        }
        if (r.propertyDependencies !== undefined) {
            edited.propertyDependencies = Object.fromEntries(Object.entries(r.propertyDependencies).map(([k, urns]) => [k, urns.filter((urn) => !gone.has(urn))]));
        }
        if (r.deletedWith !== undefined && gone.has(r.deletedWith)) {
            delete edited.deletedWith;
        }
        return edited as StateResource;
    });
    return { migrated: { ...exported, deployment: { ...exported.deployment, resources: cleaned } }, removed };
}

function main(argv: readonly string[]): number {
    const [input, output = input?.replace(/\.json$/, "") + ".migrated.json"] = argv;
    if (input === undefined) {
        console.error("Usage: pulumi stack export --file before.json && npm run migrate-state -- before.json [migrated.json]");
        return 1;
    }
    const { migrated, removed } = withoutLegacyDefinition(parseExport(JSON.parse(fs.readFileSync(input, "utf8"))));
    if (removed.length === 0) {
        console.log("Nothing to migrate: the state holds no per-route API Gateway resources (deployed with the one-document API, or already migrated).");
        return 0;
    }
    fs.writeFileSync(output, `${JSON.stringify(migrated, null, 4)}\n`);
    const left = (migrated.deployment.resources ?? []).filter((r) => r.type === "aws:lambda/permission:Permission");
    console.log([
        `Leaves the state without a delete (the overwrite import owns them now): ${removed.length} resources`,
        ...removed.map((r) => `  ${r.type.split(":").pop() ?? r.type} ${nameOfUrn(r.urn)}${r.id === undefined ? "" : ` (${r.id})`}`),
        `Stays for pulumi up to delete: the per-route Lambda permissions (${left.map((r) => nameOfUrn(r.urn)).join(", ")}), replaced by one.`,
        `Wrote ${output}. Next:`,
        `  pulumi stack import --file ${output}`,
        "  pulumi preview --diff   # creates the RestApiPut, replaces the Deployment; deletes no Method, Model, Resource or Response",
        "  pulumi up && npm run smoke",
    ].join("\n"));
    return 0;
}

if (require.main === module) {
    try {
        process.exitCode = main(process.argv.slice(2));
    } catch (error) {
        console.error(error instanceof Error ? error.message : error);
        process.exitCode = 1;
    }
}
