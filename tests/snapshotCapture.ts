/**
 * What the resource snapshot records of a run: every resource's inputs, minus the route table's own part of the
 * API's document, so that a route added to the table leaves the snapshot as it is.
 */
import { expect } from "chai";
import { createHash } from "node:crypto";
import { routeList, type RouteEntry } from "../handler/routes";
import { modelName } from "../infra/restApiDocument";
import { resourceKey, type RecordedResource } from "./harness";

const DEFINITION = "aws:apigateway/restApiPut:RestApiPut";
const DEPLOYMENT = "aws:apigateway/deployment:Deployment";
/** Stands in for the deployment's trigger, a hash of the whole document (the table's routes included). */
const DOCUMENT_HASH = "<sha256 of the RestApiPut's body>";

export interface Captured {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, unknown>;
}

/** The API's document without the table's routes: their paths (operations and preflight) and their body models. */
export function documentWithoutRoutes(body: string, routes: readonly RouteEntry[]): unknown {
    const document = JSON.parse(body) as { paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
    for (const route of routes) {
        delete document.paths[route.path];
        delete document.components.schemas[modelName(route.operationId)];
    }
    return document;
}

/**
 * The resources as JSON, sorted by type and name (the order promises settle in is not behaviour), with the route
 * table's part of the document left out and the deployment's trigger checked against the whole document.
 */
export function captured(resources: readonly RecordedResource[], routes: readonly RouteEntry[] = routeList()): Captured[] {
    const body = resources.find((r) => r.type === DEFINITION)?.inputs.body;
    const json = (resources.map(({ type, name, inputs }) => ({ type, name, inputs: JSON.parse(JSON.stringify(inputs)) as Record<string, unknown> })));
    for (const resource of json) {
        if (resource.type === DEFINITION && typeof body === "string") {
            resource.inputs.body = documentWithoutRoutes(body, routes);
        }
        const triggers = resource.inputs.triggers as { redeployment?: string } | undefined;
        if (resource.type === DEPLOYMENT && typeof body === "string" && triggers?.redeployment !== undefined) {
            expect(triggers.redeployment, "the deployment redeploys on any change of the document").to.equal(createHash("sha256").update(body).digest("hex"));
            resource.inputs.triggers = { ...triggers, redeployment: DOCUMENT_HASH };
        }
    }
    return json.sort((a, b) => resourceKey(a).localeCompare(resourceKey(b)));
}
