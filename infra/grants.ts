/**
 * Who may call a route, and what its operation may reach: the rules for a route's `groups` and `grants`, and the
 * IAM statements the grants become. Pure (no Pulumi): infra/routeTable.ts checks the table with it, infra/api.ts
 * adds the statements to the handler's role policy, and the policy pack (policy/policies.ts) checks the deployed
 * role policy with the same rules.
 */
import type { Grant, RouteEntry } from "../handler/routes";

/**
 * A Cognito group name a route may name: 1-128 characters (CreateGroup's GroupName: `[\p{L}\p{M}\p{S}\p{N}\p{P}]+`,
 * at most 128), narrowed to letters, digits and `_ . - @ +`. API Gateway hands the handler `cognito:groups` as one
 * string (the array joined by commas, or `[a b]` in some integrations), so a comma, space or bracket in a name
 * would split it into other names.
 */
export const GROUP_NAME = /^[A-Za-z0-9_.\-@+]{1,128}$/;

/**
 * A wildcard action: `*`, `service:*`, or any action with `*` or `?` in its name. A partial one (`dynamodb:Get*`)
 * counts too: it matches every action AWS has, or later adds, under that prefix (`dynamodb:Get*` is GetItem,
 * GetRecords, GetShardIterator and GetResourcePolicy today), which a reviewer of the table cannot see.
 */
export function isWildcardAction(action: string): boolean {
    return /[*?]/.test(action);
}

/**
 * A wildcard resource: `*`, or an ARN whose partition, service, region or account holds `*` or `?`, or whose
 * resource part is only wildcards (`arn:aws:dynamodb:us-east-1:123456789012:*`): each reaches beyond one named
 * account and service. A wildcard inside the resource part (`arn:aws:s3:::reports/*`, `table/orders/index/*`)
 * scopes to what the author named and is allowed; the table is where it is reviewed.
 */
export function isWildcardResource(resource: string): boolean {
    if (resource === "*") {
        return true;
    }
    const fields = resource.split(":");
    if (fields.length < 6) {
        return false; // Not an ARN: grantProblems says so.
    }
    const head = fields.slice(1, 5);
    const rest = fields.slice(5).join(":");
    return head.some((field) => /[*?]/.test(field)) || /^[*?/:]+$/.test(rest);
}

/** An IAM action: `service:Action` (IAM's grammar: the service prefix, a colon, the action's name). */
const ACTION = /^[a-z0-9-]+:[A-Za-z0-9*?]+$/;

/** The statement id of a route's `index`th grant: IAM's Sid is letters and digits only ("IAM JSON policy elements: Sid"). */
export function grantSid(operationId: string, index: number): string {
    return `Route${operationId.replace(/[^A-Za-z0-9]/g, "")}Grant${index + 1}`;
}

/** One IAM policy statement. */
export interface GrantStatement {
    readonly Sid: string;
    readonly Effect: "Allow";
    readonly Action: string[];
    readonly Resource: string[];
}

/** The statements the routes' grants add to the handler's role policy, one per grant, in table order. */
export function grantStatements(routes: readonly RouteEntry[]): GrantStatement[] {
    return routes.flatMap((route) => (route.grants ?? []).map((grant, index) => ({
        Sid: grantSid(route.operationId, index),
        Effect: "Allow" as const,
        Action: [...grant.actions],
        Resource: [...grant.resources],
    })));
}

/** Every distinct group the routes name, sorted. */
export function tableGroups(routes: readonly RouteEntry[]): string[] {
    return [...new Set(routes.flatMap((route) => route.groups ?? []))].sort();
}

/** The wildcards in a grant's actions and resources, as JSON strings for a message. */
export function grantWildcards(grant: Pick<Grant, "actions" | "resources">): string[] {
    return [
        ...grant.actions.filter(isWildcardAction).map((action) => `action ${JSON.stringify(action)}`),
        ...grant.resources.filter(isWildcardResource).map((resource) => `resource ${JSON.stringify(resource)}`),
    ];
}

/** The problems of a route's groups and grants, as sentences naming the route, the value and the fix. */
export function accessProblems(route: RouteEntry): string[] {
    const name = route.operationId;
    const problems: string[] = [];
    const groups = route.groups ?? [];
    for (const group of groups) {
        if (!GROUP_NAME.test(group)) {
            problems.push(`${name}: group ${JSON.stringify(group)} must be 1-128 letters, digits or "_ . - @ +" ` +
                "(no comma, space or bracket: the token's cognito:groups claim reaches the handler as one string split on them); rename it");
        }
    }
    const repeated = groups.filter((group, i) => groups.indexOf(group) !== i);
    for (const group of new Set(repeated)) {
        problems.push(`${name}: group ${JSON.stringify(group)} is listed more than once; list it once`);
    }
    (route.grants ?? []).forEach((grant, index) => {
        const which = `${name}: grant ${index + 1}`;
        if (grant.actions.length === 0 || grant.resources.length === 0) {
            problems.push(`${which} needs at least one action and one resource (e.g. actions ["dynamodb:GetItem"], resources [the table's ARN])`);
        }
        for (const action of grant.actions) {
            if (action !== "*" && !ACTION.test(action)) {
                problems.push(`${which}: action ${JSON.stringify(action)} must be service:Action, e.g. "dynamodb:GetItem"`);
            }
        }
        for (const resource of grant.resources) {
            if (resource !== "*" && !/^arn:[^:]+:[^:]+:[^:]*:[^:]*:.+$/.test(resource)) {
                problems.push(`${which}: resource ${JSON.stringify(resource)} must be an ARN (arn:partition:service:region:account:resource)`);
            }
        }
        const wildcards = grantWildcards(grant);
        const reason = grant.allowWildcard?.trim() ?? "";
        if (wildcards.length > 0 && reason === "") {
            problems.push(`${which} has the wildcard ${wildcards.join(", ")}, which reaches more than the operation names; ` +
                "list the exact actions (e.g. \"dynamodb:GetItem\") and resource ARNs, or, if it must stay, say why in the grant's allowWildcard: \"…\"");
        }
        if (wildcards.length === 0 && grant.allowWildcard !== undefined) {
            problems.push(`${which} has allowWildcard but no wildcard; remove allowWildcard, so a wildcard added later is questioned`);
        }
    });
    return problems;
}

/** Grants whose statement ids collide (operationIds that differ only by "_"). */
export function sidProblems(routes: readonly RouteEntry[]): string[] {
    const owners = new Map<string, string>();
    const problems: string[] = [];
    for (const route of routes) {
        (route.grants ?? []).forEach((_grant, index) => {
            const sid = grantSid(route.operationId, index);
            const owner = owners.get(sid);
            if (owner !== undefined && owner !== route.operationId) {
                problems.push(`${route.operationId}: its grants' statement ids (${sid}) are ${owner}'s too, as IAM's Sid drops "_"; rename one of the two routes`);
            }
            owners.set(sid, route.operationId);
        });
    }
    return problems;
}
