/**
 * The audit trail's saved CloudWatch Logs Insights queries, over the handler's log group: who called what, what was
 * refused, what broke, and which routes are slow. They read the audit line (handler/log.ts, CallLog), whose
 * field names are taken from its type here, so renaming a field fails to compile until the queries follow.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { CallLog } from "../handler/log";

/** A field of the audit line, checked against CallLog. */
const field = <K extends keyof CallLog>(key: K): K => key;

/** What every query starts from: audit lines only (logCall's `message`), not the request or error lines. */
export const CALL_FILTER = `filter message = "call"`;

const [requestId, surface, route, sub, username, clientId, signIn, outcome, status, latencyMs] = [
    field("requestId"), field("surface"), field("route"), field("sub"), field("username"), field("clientId"),
    field("signIn"), field("outcome"), field("status"), field("latencyMs"),
];

/** The saved queries, by the title the console lists them under. */
export const AUDIT_QUERIES: Readonly<Record<string, string>> = {
    "Calls by user": [
        `fields ${sub}, ${username}, ${route}`,
        CALL_FILTER,
        `stats count(*) as calls, min(@timestamp) as firstCall, max(@timestamp) as lastCall by ${sub}, ${username}, ${route}`,
        "sort calls desc",
    ].join("\n| "),
    "Refused calls": [
        `fields @timestamp, ${requestId}, ${surface}, ${route}, ${sub}, ${username}, ${clientId}, ${signIn}, ${status}`,
        CALL_FILTER,
        `filter ${outcome} = "refused"`,
        "sort @timestamp desc",
        "limit 1000",
    ].join("\n| "),
    // The request id finds the "unhandled error" line with the stack in the same log group.
    "Errors": [
        `fields @timestamp, ${requestId}, ${surface}, ${route}, ${sub}, ${username}, ${clientId}, ${status}, ${latencyMs}`,
        CALL_FILTER,
        `filter ${outcome} = "error"`,
        "sort @timestamp desc",
        "limit 1000",
    ].join("\n| "),
    "Slowest routes": [
        `fields ${route}, ${surface}, ${latencyMs}`,
        CALL_FILTER,
        `stats count(*) as calls, avg(${latencyMs}) as avgMs, pct(${latencyMs}, 95) as p95Ms, max(${latencyMs}) as maxMs by ${route}, ${surface}`,
        "sort p95Ms desc",
    ].join("\n| "),
};

/** The audit line's fields the queries read. */
export const AUDIT_QUERY_FIELDS: readonly (keyof CallLog)[] = [requestId, surface, route, sub, username, clientId, signIn, outcome, status, latencyMs];

/**
 * One saved query per entry of AUDIT_QUERIES on `logGroupName`, children of `parent` named `${name}-query-…`, in the
 * console's folder `folder` ("To create a folder, use a forward slash (/) to prefix your desired query name with your
 * desired folder name": AWS::Logs::QueryDefinition, CloudFormation template reference).
 */
export function createAuditQueries(name: string, folder: string, logGroupName: pulumi.Input<string>, parent: pulumi.Resource): aws.cloudwatch.QueryDefinition[] {
    return Object.entries(AUDIT_QUERIES).map(([title, queryString]) => new aws.cloudwatch.QueryDefinition(
        `${name}-query-${title.toLowerCase().replace(/\s+/g, "-")}`,
        { name: `${folder}/${title}`, queryString, logGroupNames: [logGroupName] },
        { parent },
    ));
}
