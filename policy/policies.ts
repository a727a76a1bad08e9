/**
 * gpt-action's invariants as Pulumi CrossGuard policies. `pulumi preview --policy-pack policy` runs them against
 * a real preview; tests/policy.test.ts runs the same functions in-process over the resources the mocks record.
 */
import * as aws from "@pulumi/aws";
import {
    validateResourceOfType,
    type PolicyResource,
    type ReportViolation,
    type ResourceValidationPolicy,
    type StackValidationPolicy,
} from "@pulumi/policy";
import { CORS_PATHS as FACADE_CORS_PATHS } from "../handler/facade/cors";
import { FACADE_METHODS } from "../handler/facade/paths";
import { routeList, type RouteEntry } from "../handler/routes";
import { callbackUrlProblem } from "../infra/callbacks";
import { grantSid, grantWildcards } from "../infra/grants";
import { AUTH_FLOWS, ROTATING_AUTH_FLOWS } from "../infra/refreshTokens";
import { XRAY_WRITE_ACTIONS } from "../infra/lambda";
import { VPC_DESCRIBE_ACTIONS } from "../infra/networkConfig";

interface Statement {
    Sid?: string;
    Effect?: string;
    Action?: string | string[];
    Resource?: string | string[];
}

const list = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** The statements of an IAM policy given as JSON text or as an object. */
function statementsOf(policy: unknown): Statement[] {
    const document: unknown = typeof policy === "string" ? JSON.parse(policy) : policy;
    const statement = (document as { Statement?: Statement | Statement[] } | undefined)?.Statement;
    return statement === undefined ? [] : Array.isArray(statement) ? statement : [statement];
}

/**
 * Actions that support no resource-level permissions, so "*" is their only possible resource: X-Ray's writes,
 * and the two EC2 Describe calls Lambda needs to attach a function to a VPC.
 */
const RESOURCELESS_ACTIONS = [...XRAY_WRITE_ACTIONS, ...VPC_DESCRIBE_ACTIONS];

/** Why `statement` is too broad, or undefined. */
export function statementProblem(statement: Statement): string | undefined {
    if (statement.Effect === "Deny") {
        return undefined;
    }
    const actions = list(statement.Action);
    const wildcardAction = actions.find((a) => a === "*" || a.endsWith(":*"));
    if (wildcardAction !== undefined) {
        return `allows the wildcard action "${wildcardAction}"`;
    }
    if (list(statement.Resource).includes("*") && !actions.every((a) => RESOURCELESS_ACTIONS.includes(a))) {
        return `allows ${actions.join(", ")} on every resource ("*")`;
    }
    return undefined;
}


/** A statement id of the form grantSid gives a route's grant. */
const GRANT_SID = /^Route[A-Za-z0-9]+Grant\d+$/;

/** The route table's grants by statement id, each with its route. */
function tableGrants(routes: readonly RouteEntry[]): Map<string, { route: string; actions: readonly string[]; resources: readonly string[]; allowWildcard?: string }> {
    return new Map(routes.flatMap((route) => (route.grants ?? []).map((grant, index) =>
        [grantSid(route.operationId, index), { route: route.operationId, ...grant }] as const)));
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Why a statement named like a route's grant is not one the route table (`routes`) declares, or has a wildcard
 * (by infra/grants.ts's rule, partial wildcards included) the table's grant does not explain; undefined when it
 * is the grant as declared.
 */
export function grantStatementProblem(statement: Statement, routes: readonly RouteEntry[] = routeList()): string | undefined {
    if (statement.Sid === undefined || !GRANT_SID.test(statement.Sid)) {
        return undefined;
    }
    const declared = tableGrants(routes).get(statement.Sid);
    const actions = list(statement.Action);
    const resources = list(statement.Resource);
    if (declared === undefined || statement.Effect !== "Allow" || !sameList(actions, declared.actions) || !sameList(resources, declared.resources)) {
        return `${statement.Sid} is named like a route's grant but is not one the route table declares (handler/routes.ts, grants); declare it there`;
    }
    const wildcards = grantWildcards({ actions, resources });
    if (wildcards.length > 0 && (declared.allowWildcard?.trim() ?? "") === "") {
        return `${statement.Sid} (${declared.route}'s grant) has the wildcard ${wildcards.join(", ")} without a reason; list exact actions and ARNs, or give the grant an allowWildcard`;
    }
    return undefined;
}

/** Whether a statement is a route's grant whose wildcard the table explains, which iam-no-wildcards leaves to route-grants-as-declared. */
function explainedGrant(statement: Statement, routes: readonly RouteEntry[]): boolean {
    const declared = statement.Sid === undefined ? undefined : tableGrants(routes).get(statement.Sid);
    return declared?.allowWildcard !== undefined && grantStatementProblem(statement, routes) === undefined;
}

/**
 * Auth flows that send the password itself to Cognito's API: USER_PASSWORD and ADMIN_USER_PASSWORD, and their
 * legacy names (ADMIN_NO_SRP_AUTH, USER_PASSWORD_AUTH). Cognito docs: "Authentication flows" and
 * CreateUserPoolClient's ExplicitAuthFlows.
 */
export const PASSWORD_SENDING_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH", "USER_PASSWORD_AUTH"];

/**
 * Why an app client's `explicitAuthFlows` is too broad, or undefined. A client that does not rotate its refresh tokens
 * needs only ALLOW_REFRESH_TOKEN_AUTH; a rotating one may not have it, and keeps only the IAM-only admin flow
 * (infra/refreshTokens.ts says why).
 */
export function authFlowsProblem(flows: readonly string[] | undefined, rotating = false): string | undefined {
    const allowed: readonly string[] = rotating ? ROTATING_AUTH_FLOWS : AUTH_FLOWS;
    const fix = `allow only ${allowed.join(", ")}`;
    if (flows === undefined || flows.length === 0) {
        // CreateUserPoolClient: without ExplicitAuthFlows a client supports ALLOW_USER_SRP_AUTH and ALLOW_CUSTOM_AUTH too.
        return `sets no explicitAuthFlows, and Cognito then allows SRP and custom sign-in through its API; ${fix}`;
    }
    if (rotating && flows.includes("ALLOW_REFRESH_TOKEN_AUTH")) {
        return `rotates its refresh tokens but allows ALLOW_REFRESH_TOKEN_AUTH, which Cognito refuses with rotation; ${fix}`;
    }
    const sending = flows.filter((f) => PASSWORD_SENDING_FLOWS.includes(f) && !allowed.includes(f));
    if (sending.length > 0) {
        return `allows ${sending.join(", ")}, which send the user's password to Cognito's API; ${fix}`;
    }
    const other = flows.filter((f) => !allowed.includes(f));
    if (other.length > 0) {
        return `allows ${other.join(", ")}, sign-in through Cognito's API outside the hosted UI; ${fix}`;
    }
    return undefined;
}

const SECONDS_PER_UNIT: Readonly<Record<string, number>> = { seconds: 1, minutes: 60, hours: 3600, days: 86_400 };

interface TokenValidity {
    readonly accessTokenValidity?: number;
    readonly idTokenValidity?: number;
    readonly refreshTokenValidity?: number;
    readonly tokenValidityUnits?: { readonly accessToken?: string; readonly idToken?: string; readonly refreshToken?: string };
}

/**
 * What is wrong with an app client's token lifetimes: unset, outside access/ID 5-1440 minutes or refresh 1-3650
 * days (the bounds of the accessTokenMinutes and refreshTokenDays config keys, inside Cognito's own), or a refresh
 * token that does not outlive the access and ID tokens. Units default as in CreateUserPoolClient's
 * TokenValidityUnits: hours for access and ID tokens, days for refresh tokens.
 */
export function tokenValidityProblems(client: TokenValidity): string[] {
    const units = client.tokenValidityUnits ?? {};
    const tokens = [
        { name: "access", value: client.accessTokenValidity, unit: units.accessToken ?? "hours", min: 5 * 60, max: 1440 * 60, bounds: "5-1440 minutes" },
        { name: "ID", value: client.idTokenValidity, unit: units.idToken ?? "hours", min: 5 * 60, max: 1440 * 60, bounds: "5-1440 minutes" },
        { name: "refresh", value: client.refreshTokenValidity, unit: units.refreshToken ?? "days", min: 86_400, max: 3650 * 86_400, bounds: "1-3650 days" },
    ];
    const problems: string[] = [];
    const seconds: number[] = [];
    for (const token of tokens) {
        const perUnit = SECONDS_PER_UNIT[token.unit];
        if (token.value === undefined) {
            problems.push(`the ${token.name} token's lifetime is unset (an existing client keeps whatever it has); set it`);
        } else if (perUnit === undefined) {
            problems.push(`the ${token.name} token's unit "${token.unit}" is not seconds, minutes, hours or days`);
        } else if (token.value * perUnit < token.min || token.value * perUnit > token.max) {
            problems.push(`the ${token.name} token lives ${token.value} ${token.unit}, outside ${token.bounds}`);
        } else {
            seconds.push(token.value * perUnit);
        }
    }
    if (seconds.length === 3 && seconds[2] <= Math.max(seconds[0], seconds[1])) {
        problems.push("the refresh token does not outlive the access and ID tokens");
    }
    return problems;
}

/** OAuth scopes that are not a resource server's ("<identifier>/<name>"): openid, email, profile, phone, aws.cognito.signin.user.admin. */
const nonResourceScopes = (scopes: readonly string[] | undefined): string[] => (scopes ?? []).filter((s) => !s.includes("/"));

/** The origin in a static API Gateway header mapping value ('https://a.example' → https://a.example). */
const staticHeaderValue = (value: unknown): string | undefined =>
    typeof value === "string" ? value.replace(/^'(.*)'$/, "$1") : undefined;

const ALLOW_ORIGIN = "Access-Control-Allow-Origin";

/** `value` if it is a JSON object (not an array), else undefined. */
const objectOf = (value: unknown): Record<string, unknown> | undefined =>
    typeof value === "object" && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : undefined;

const lower = (value: unknown): string | undefined => (typeof value === "string" ? value.toLowerCase() : undefined);

/** An OpenAPI document that defines a REST API in the stack, or why it cannot be read. */
interface ApiDocument {
    readonly urn: string;
    /** "RestApiPut gpt-action-definition", for messages. */
    readonly what: string;
    /** Undefined when the body is not a JSON object. */
    readonly document?: Record<string, unknown>;
}

/** The violation for a document that cannot be read. */
const unreadable = (api: ApiDocument): string =>
    `${api.what}: its body is not an OpenAPI document in JSON (a JSON object), so it cannot be checked; give the document as JSON text.`;

/**
 * The OpenAPI documents of the stack's REST APIs: every RestApiPut's body, and a RestApi's own body when it has
 * one (PutRestApi and CreateRestApi's body both import a whole API). A body that is not a JSON object comes
 * without a document: the policies cannot vouch for what they cannot read. Reading props, not catching around them,
 * lets CrossGuard skip a preview whose body is still unknown.
 */
function apiDocuments(resources: readonly PolicyResource[]): ApiDocument[] {
    const documents: ApiDocument[] = [];
    for (const resource of resources) {
        const isPut = resource.isType(aws.apigateway.RestApiPut);
        if (!isPut && !resource.isType(aws.apigateway.RestApi)) {
            continue;
        }
        const body: unknown = resource.props.body;
        const what = `${isPut ? "RestApiPut" : "RestApi"} ${resource.name}`;
        if (!isPut && (body === undefined || body === "")) {
            continue;
        }
        let document: unknown;
        try {
            document = typeof body === "string" ? JSON.parse(body) : undefined;
        } catch {
            document = undefined;
        }
        documents.push({ urn: resource.urn, what, document: objectOf(document) });
    }
    return documents;
}

/** A Path Item's operation keys, x-amazon-apigateway-any-method (the ANY method) included (OpenAPI 3.0.3 §4.7.9). */
const OPERATION_KEYS = ["get", "put", "post", "delete", "options", "head", "patch", "trace", "x-amazon-apigateway-any-method"];

interface DocumentOperation {
    /** Upper case; ANY for x-amazon-apigateway-any-method. */
    readonly method: string;
    readonly path: string;
    readonly operation: Record<string, unknown>;
}

/** Every operation of `document`, and what in its paths cannot be read as operations. */
function operationsOf(document: Record<string, unknown>): { operations: DocumentOperation[]; problems: string[] } {
    const operations: DocumentOperation[] = [];
    const problems: string[] = [];
    const paths = objectOf(document.paths);
    if (paths === undefined) {
        return { operations, problems: document.paths === undefined ? [] : ["its paths are not an object, so its methods cannot be checked"] };
    }
    for (const [path, item] of Object.entries(paths)) {
        const pathItem = objectOf(item);
        if (pathItem === undefined || "$ref" in pathItem) {
            problems.push(`path ${path} is not an inline Path Item object, so its methods cannot be checked`);
            continue;
        }
        for (const key of OPERATION_KEYS.filter((k) => k in pathItem)) {
            const method = key === "x-amazon-apigateway-any-method" ? "ANY" : key.toUpperCase();
            const operation = objectOf(pathItem[key]);
            if (operation === undefined) {
                problems.push(`${method} ${path} is not an Operation object, so it cannot be checked`);
            } else {
                operations.push({ method, path, operation });
            }
        }
    }
    return { operations, problems };
}

/** Whether API Gateway answers the operation itself: "x-amazon-apigateway-integration" of type mock. */
const isMockOperation = (operation: Record<string, unknown>): boolean =>
    lower(objectOf(operation["x-amazon-apigateway-integration"])?.type) === "mock";

/** One thing a request must present to reach a method: a Cognito user-pool authorizer's token, an API key, or other. */
interface MethodGate {
    /** "the security scheme X", for messages. */
    readonly label: string;
    readonly kind: "cognito" | "apiKey" | "other";
    /** A Cognito gate's OAuth scopes (authorizationScopes; the security requirement's list). */
    readonly scopes?: unknown;
}

/** How a request reaches one method, from a standalone Method resource or an operation of a document. */
interface MethodAccess {
    /** "GET /my_route", for messages. */
    readonly where: string;
    /** Upper case; ANY for every method. */
    readonly method: string;
    /** API Gateway answers it itself (a MOCK integration): no function or backend behind it. */
    readonly mock: boolean;
    /** One of the OAuth facade's endpoints (handler/facade/paths.ts), public by nature (RFC 6749 §3). */
    readonly oauthEndpoint?: boolean;
    /** A request gets in through any one alternative by passing all of its gates (OpenAPI security requirements). */
    readonly alternatives: ReadonlyArray<readonly MethodGate[]>;
}

const hasScopes = (scopes: unknown): boolean =>
    Array.isArray(scopes) && scopes.length > 0 && scopes.every((s) => typeof s === "string" && s !== "");

/**
 * Why a method is not behind the Cognito authorizer with OAuth scopes: the one rule for standalone Method
 * resources and document operations alike. OPTIONS (CORS preflights) and MOCK methods are exempt: API Gateway
 * answers them itself, and a mock holds only what the document spells out (the public OAuth metadata). So are the
 * OAuth facade's five endpoints, at their exact paths and methods: an authorization server's endpoints take no
 * bearer token, and the facade checks every request itself.
 */
export function methodAccessProblems(access: MethodAccess): string[] {
    const { where } = access;
    if (access.method === "OPTIONS" || access.mock || access.oauthEndpoint === true) {
        return [];
    }
    if (access.alternatives.length === 0) {
        return [`${where} has no authorization; put it behind the Cognito authorizer with OAuth scopes.`];
    }
    const problems: string[] = [];
    for (const gates of access.alternatives) {
        if (gates.length === 0) {
            problems.push(`${where} lets requests in without authorization (an empty security requirement); use the Cognito authorizer.`);
        }
        for (const gate of gates) {
            if (gate.kind === "other") {
                problems.push(`${where}: ${gate.label} is not a Cognito user-pool authorizer; use the Cognito authorizer.`);
            } else if (gate.kind === "cognito" && !hasScopes(gate.scopes)) {
                problems.push(`${where}: ${gate.label} requires no OAuth scopes; without scopes API Gateway also accepts ID tokens.`);
            }
        }
        if (gates.length > 0 && gates.every((g) => g.kind === "apiKey")) {
            problems.push(`${where} asks only for an API key; use the Cognito authorizer.`);
        }
    }
    return problems;
}

/**
 * What a security scheme of a document is to API Gateway. "x-amazon-apigateway-authorizer" makes the
 * authorizer, its type cognito_user_pools a Cognito one, and "x-amazon-apigateway-authtype" must not say
 * otherwise ("x-amazon-apigateway-authorizer object", "x-amazon-apigateway-authtype property"). An apiKey scheme
 * for the x-api-key header, without those, is API Gateway's API key ("Require an API key on a method": import).
 */
function schemeKind(scheme: unknown): MethodGate["kind"] {
    const s = objectOf(scheme);
    if (s === undefined) {
        return "other";
    }
    const authorizer = objectOf(s["x-amazon-apigateway-authorizer"]);
    const authType = s["x-amazon-apigateway-authtype"];
    if (authorizer !== undefined) {
        return lower(authorizer.type) === "cognito_user_pools" && (authType === undefined || lower(authType) === "cognito_user_pools") ? "cognito" : "other";
    }
    return authType === undefined && s.type === "apiKey" && s.in === "header" && lower(s.name) === "x-api-key" ? "apiKey" : "other";
}

/**
 * How a request reaches an operation. Only the operation's own `security` counts: API Gateway ignores the
 * document-level one (AWS, aws-apigateway-importer issue #204: "API Gateway doesn't support the API level
 * security field. You have to apply it per method").
 */
function operationAccess(op: DocumentOperation, schemes: Record<string, unknown> | undefined): MethodAccess {
    const security = op.operation.security;
    const gate = ([name, scopes]: [string, unknown]): MethodGate => schemes !== undefined && Object.hasOwn(schemes, name)
        ? { label: `the security scheme ${name}`, kind: schemeKind(schemes[name]), scopes }
        : { label: `the undefined security scheme ${name}`, kind: "other" };
    const alternatives = Array.isArray(security)
        ? security.map((requirement): MethodGate[] => {
            const names = objectOf(requirement);
            return names === undefined ? [{ label: "a security requirement that is not an object", kind: "other" }] : Object.entries(names).map(gate);
        })
        : [];
    return {
        where: `${op.method} ${op.path}`, method: op.method, mock: isMockOperation(op.operation), alternatives,
        oauthEndpoint: Object.hasOwn(FACADE_METHODS, op.path) && FACADE_METHODS[op.path] === op.method,
    };
}

/** Whether the method `props` name (restApi, resourceId, httpMethod: a Method's or an IntegrationResponse's) has a MOCK integration. */
const hasMockIntegration = (props: Record<string, unknown>, integrations: readonly PolicyResource[]): boolean =>
    integrations.some((i) => lower(i.props.type) === "mock" &&
        i.props.restApi === props.restApi && i.props.resourceId === props.resourceId && i.props.httpMethod === props.httpMethod);

/** How a request reaches a standalone Method resource, whose MOCK integration (if any) is among `integrations`. */
function methodResourceAccess(method: PolicyResource, integrations: readonly PolicyResource[]): MethodAccess {
    const props = method.props;
    const httpMethod = String(props.httpMethod).toUpperCase();
    const mock = hasMockIntegration(props, integrations);
    const authorization = String(props.authorization ?? "NONE");
    const alternatives: MethodGate[][] = authorization === "NONE"
        ? []
        : [[authorization === "COGNITO_USER_POOLS" && props.authorizerId
            ? { label: "its Cognito authorizer", kind: "cognito", scopes: props.authorizationScopes }
            : { label: `authorization "${authorization}"${authorization === "COGNITO_USER_POOLS" ? " without an authorizerId" : ""}`, kind: "other" }]];
    return { where: `The ${httpMethod} method`, method: httpMethod, mock, alternatives };
}

/** Every Access-Control-Allow-Origin a parameter mapping sends, static values unquoted (header names are case-insensitive). */
function allowOrigins(responseParameters: unknown, prefix: "gatewayresponse.header." | "method.response.header."): string[] {
    const key = `${prefix}${ALLOW_ORIGIN}`.toLowerCase();
    return Object.entries(objectOf(responseParameters) ?? {})
        .filter(([k]) => k.toLowerCase() === key)
        .map(([, v]) => staticHeaderValue(v) ?? String(v));
}

/**
 * Whether an integration response may send "*": only a method API Gateway answers itself (MOCK) that is not a
 * preflight, i.e. a static public document. Not OPTIONS, and not ANY, which answers preflights too.
 */
const mayAllowAnyOrigin = (origin: string, method: string, mock: boolean): boolean =>
    origin === "*" && mock && method !== "OPTIONS" && method !== "ANY";

/**
 * Why an API Gateway permission's sourceArn could let more than one stage of one API invoke the function, or
 * undefined. The shape is arn:<partition>:execute-api:<region>:<account>:<apiId>/<stage>/<method>/<path> ("Control
 * access to a REST API with IAM permissions": execute-api ARNs); the method and path may be "*" (one permission
 * for the whole API), the API id and the stage may not: "*" and "?" match across APIs or stages (and accounts).
 */
export function executeApiSourceArnProblem(sourceArn: string): string | undefined {
    const [prefix, partition, service, region, account, resource, ...more] = sourceArn.split(":");
    if (prefix !== "arn" || !/^aws[a-z-]*$/.test(partition ?? "") || service !== "execute-api" || resource === undefined || more.length > 0) {
        return "is not an execute-api ARN (arn:<partition>:execute-api:<region>:<account>:<apiId>/<stage>/<method or *>/<path or *>)";
    }
    if (!/^[a-z0-9-]+$/.test(region) || !/^\d{12}$/.test(account)) {
        return `does not name one region and account ("${region}", "${account}")`;
    }
    const [apiId, stage, method, ...path] = resource.split("/");
    if (!/^[A-Za-z0-9]+$/.test(apiId)) {
        return `does not name one API (API id "${apiId}"), so any API could invoke the function; name the API's id`;
    }
    if (stage === undefined || !/^[A-Za-z0-9_-]+$/.test(stage)) {
        return `does not name one stage (stage "${stage ?? ""}"), so every stage could invoke the function; name the stage`;
    }
    if (method === undefined || !/^(\*|[A-Z]+)$/.test(method) || path.join("/") === "") {
        return "names no method and path; end it with /<method or *>/<path or *>";
    }
    return undefined;
}

export const resourcePolicies: ResourceValidationPolicy[] = [
    {
        name: "user-pool-no-self-sign-up",
        description: "Only administrators create users in the user pool.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.cognito.UserPool, (pool, _args, report) => {
            if (pool.adminCreateUserConfig?.allowAdminCreateUserOnly !== true) {
                report("The user pool lets anyone sign up through the hosted UI; set adminCreateUserConfig.allowAdminCreateUserOnly.");
            }
        }),
    },
    {
        name: "callback-urls-https",
        description: "App client callback URLs are HTTPS (or http://localhost), without fragments or wildcards.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.cognito.UserPoolClient, (client, _args, report) => {
            for (const url of client.callbackUrls ?? []) {
                const problem = callbackUrlProblem(url);
                if (problem !== undefined) {
                    report(`Callback URL ${url} ${problem}.`);
                }
            }
        }),
    },
    {
        name: "app-client-code-flow-only",
        description: "App clients use the OAuth authorization-code grant only (no implicit or client-credentials grant).",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.cognito.UserPoolClient, (client, _args, report) => {
            const flows = client.allowedOauthFlows ?? [];
            if (flows.some((f) => f !== "code")) {
                report(`The app client allows the OAuth flows ${flows.join(", ")}; allow only "code".`);
            }
        }),
    },
    {
        name: "lambda-permission-source-arn",
        description: "A Lambda permission names its source (sourceArn), and one for API Gateway names one stage of one API: " +
            "arn:<partition>:execute-api:<region>:<account>:<apiId>/<stage>/<method or *>/<path or *>, with no wildcard in the " +
            "region, account, API id or stage. The method and path may be \"*\": the stack's one permission covers the whole API.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.lambda.Permission, (permission, _args, report) => {
            if (!permission.sourceArn) {
                report(`The permission lets ${permission.principal} invoke the function from anywhere; set sourceArn.`);
                return;
            }
            const problem = permission.principal === "apigateway.amazonaws.com" ? executeApiSourceArnProblem(permission.sourceArn) : undefined;
            if (problem !== undefined) {
                report(`sourceArn ${permission.sourceArn} ${problem}.`);
            }
        }),
    },
    {
        name: "iam-no-wildcards",
        description: 'No IAM statement allows a wildcard action or "*" resources (except actions without resource-level permissions: X-Ray writes, and EC2 Describe calls for VPC functions; and a route grant whose allowWildcard says why), and no AWS-managed policy is attached.',
        enforcementLevel: "mandatory",
        validateResource: [
            validateResourceOfType(aws.iam.RolePolicy, (policy, _args, report) => {
                const routes = routeList();
                for (const statement of statementsOf(policy.policy)) {
                    const problem = explainedGrant(statement, routes) ? undefined : statementProblem(statement);
                    if (problem !== undefined) {
                        report(`A statement ${problem}.`);
                    }
                }
            }),
            validateResourceOfType(aws.iam.RolePolicyAttachment, (attachment, _args, report) => {
                if (attachment.policyArn.startsWith("arn:aws:iam::aws:policy/")) {
                    report(`The AWS-managed policy ${attachment.policyArn} is attached; grant exactly what is needed inline.`);
                }
            }),
        ],
    },
    {
        name: "route-grants-as-declared",
        description: "Every role policy statement named like a route's grant (RouteXGrantN) is that grant as the route table declares it, and has no wildcard (partial ones included) unless the grant's allowWildcard says why.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.iam.RolePolicy, (policy, _args, report) => {
            const routes = routeList();
            for (const statement of statementsOf(policy.policy)) {
                const problem = grantStatementProblem(statement, routes);
                if (problem !== undefined) {
                    report(`${problem}.`);
                }
            }
        }),
    },
    {
        name: "lambda-environment-holds-no-secrets",
        description: "No Lambda environment variable is named like a secret (key, token, password): Lambda returns environment "
            + "variables to anyone allowed the read-only lambda:GetFunctionConfiguration, and AWS recommends Secrets Manager "
            + "instead (\"Working with Lambda environment variables\"). A variable naming a secret's ARN (…_ARN) is fine.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.lambda.Function, (fn, _args, report) => {
            const variables = (fn.environment as { variables?: Record<string, unknown> } | undefined)?.variables ?? {};
            for (const name of Object.keys(variables)) {
                if (/SECRET|PASSWORD|PASSPHRASE|PRIVATE_KEY|STATE_KEY|API_KEY|TOKEN/i.test(name) && !/_(ARN|ID|URL|URLS|NAME)$/i.test(name)) {
                    report(`The function's environment variable ${name} looks like a secret; Lambda shows it to anyone allowed lambda:GetFunctionConfiguration. `
                        + "Keep the value in Secrets Manager and put the secret's ARN in the environment (as the OAuth facade's FACADE_STATE_KEY_SECRET_ARN).");
                }
            }
        }),
    },
    {
        name: "log-groups-have-retention",
        description: "Every CloudWatch log group expires its logs.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.cloudwatch.LogGroup, (group, _args, report) => {
            if (!group.retentionInDays) {
                report("The log group keeps logs forever; set retentionInDays.");
            }
        }),
    },
    {
        name: "app-client-prevent-user-existence-errors",
        description: "App clients answer sign-in, confirmation and recovery for an unknown user as for a known one " +
            "(preventUserExistenceErrors ENABLED; Cognito's API default is LEGACY, which tells an attacker which emails have accounts).",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.cognito.UserPoolClient, (client, _args, report) => {
            if (client.preventUserExistenceErrors !== "ENABLED") {
                report(`preventUserExistenceErrors is ${client.preventUserExistenceErrors ?? "unset (LEGACY)"}: Cognito would reveal which users exist; set "ENABLED".`);
            }
        }),
    },
    {
        name: "app-client-no-password-flows",
        description: "App clients allow no sign-in through Cognito's API, only ALLOW_REFRESH_TOKEN_AUTH (a client that rotates its refresh " +
            "tokens, which Cognito forbids that flow, only the IAM-only ALLOW_ADMIN_USER_PASSWORD_AUTH): users sign in on the hosted UI. " +
            "Flagged: the flows that send the password (ALLOW_USER_PASSWORD_AUTH, ALLOW_ADMIN_USER_PASSWORD_AUTH and the legacy " +
            "ADMIN_NO_SRP_AUTH, USER_PASSWORD_AUTH), and also ALLOW_USER_SRP_AUTH, ALLOW_CUSTOM_AUTH and ALLOW_USER_AUTH: SRP keeps the " +
            "password off the wire but is still a password sign-in that anyone holding the (public) client id can script around the " +
            "hosted UI; and an unset list, which Cognito reads as SRP and custom auth.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.cognito.UserPoolClient, (client, _args, report) => {
            const problem = authFlowsProblem(client.explicitAuthFlows, client.refreshTokenRotation?.feature === "ENABLED");
            if (problem !== undefined) {
                report(`The app client ${problem}.`);
            }
        }),
    },
    {
        name: "app-client-token-revocation",
        description: "App clients can revoke refresh tokens (enableTokenRevocation true, set explicitly: the provider keeps an existing " +
            "client's value when the property is unset), so signing a user out, or a stolen refresh token, can be ended.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.cognito.UserPoolClient, (client, _args, report) => {
            if (client.enableTokenRevocation !== true) {
                report(`enableTokenRevocation is ${String(client.enableTokenRevocation ?? "unset")}: a refresh token could not be revoked; set it to true.`);
            }
        }),
    },
    {
        name: "app-client-token-validity",
        description: "App clients set token lifetimes explicitly, access and ID tokens 5-1440 minutes and refresh tokens 1-3650 days " +
            "(with tokenValidityUnits, whose defaults are hours, hours and days), the refresh token outliving the others.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.cognito.UserPoolClient, (client, _args, report) => {
            for (const problem of tokenValidityProblems(client)) {
                report(`Token lifetimes: ${problem}.`);
            }
        }),
    },
    {
        name: "app-client-secret-unless-resource-scoped",
        description: "An app client without a secret (a public client, such as the MCP client with mcpPublicClient) may be granted only " +
            "scopes of a resource server (\"<identifier>/<name>\"), so its tokens open only that API. Anyone holding a public client's id can " +
            "run its code flow and refresh its tokens; a client that may get openid, email, profile, phone or aws.cognito.signin.user.admin " +
            "(user identity, Cognito's user APIs), such as the GPT Action's client, must have a secret (generateSecret true). A rule on " +
            "properties, not names, so it holds for clients added later.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.cognito.UserPoolClient, (client, _args, report) => {
            if (client.generateSecret === true) {
                return;
            }
            const identityScopes = nonResourceScopes(client.allowedOauthScopes);
            if (identityScopes.length > 0) {
                report(`The app client has no secret but may be granted ${identityScopes.join(", ")}; set generateSecret: true, or allow only a resource server's scopes.`);
            }
        }),
    },
    {
        name: "stage-no-execution-logging",
        description: "API Gateway method settings keep execution logging off (loggingLevel OFF or unset) and dataTraceEnabled false: " +
            "execution logs record request headers, and data tracing full requests and responses, so tokens and bodies would reach CloudWatch.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.apigateway.MethodSettings, (methodSettings, _args, report) => {
            const settings = methodSettings.settings;
            if (settings.loggingLevel !== undefined && settings.loggingLevel !== "OFF") {
                report(`Method settings ${methodSettings.methodPath} log execution at ${settings.loggingLevel}; set loggingLevel "OFF".`);
            }
            if (settings.dataTraceEnabled === true) {
                report(`Method settings ${methodSettings.methodPath} trace full requests and responses (dataTraceEnabled); set it to false.`);
            }
        }),
    },
    {
        name: "stages-have-access-logs",
        description: "API Gateway stages write access logs.",
        // Advisory: the accessLogs config key may turn them off on purpose.
        enforcementLevel: "advisory",
        validateResource: validateResourceOfType(aws.apigateway.Stage, (stage, _args, report) => {
            if (!stage.accessLogSettings?.destinationArn) {
                report(`Stage ${stage.stageName} writes no access logs.`);
            }
        }),
    },
];

export const stackPolicies: StackValidationPolicy[] = [
    {
        name: "api-methods-require-cognito-scopes",
        description: "Every API Gateway method is behind a Cognito user-pool authorizer with OAuth scopes: each operation of every " +
            "OpenAPI document that defines a REST API (RestApiPut bodies, RestApi bodies) has its own security requirement naming " +
            "a cognito_user_pools scheme with a non-empty scope list, and so does every standalone Method. Exceptions: OPTIONS " +
            "(CORS preflights), MOCK methods that API Gateway answers itself (the public OAuth metadata documents) and the OAuth " +
            "facade's endpoints (GET /oauth/authorize, GET /oauth/callback, POST /oauth/consent, POST /oauth/token, POST /oauth/revoke). A body " +
            "that is not a JSON document is a violation: it cannot be checked.",
        enforcementLevel: "mandatory",
        validateStack: (args, report: ReportViolation) => {
            for (const api of apiDocuments(args.resources)) {
                if (api.document === undefined) {
                    report(unreadable(api), api.urn);
                    continue;
                }
                const { operations, problems } = operationsOf(api.document);
                for (const problem of problems) {
                    report(`${api.what}: ${problem}.`, api.urn);
                }
                const schemes = objectOf(objectOf(api.document.components)?.securitySchemes);
                for (const operation of operations) {
                    for (const problem of methodAccessProblems(operationAccess(operation, schemes))) {
                        report(problem, api.urn);
                    }
                }
            }
            const integrations = args.resources.filter((r) => r.isType(aws.apigateway.Integration));
            for (const method of args.resources.filter((r) => r.isType(aws.apigateway.Method))) {
                for (const problem of methodAccessProblems(methodResourceAccess(method, integrations))) {
                    report(problem, method.urn);
                }
            }
        },
    },
    {
        name: "cors-origin-as-configured",
        description: "With the policy config allowedCorsOrigin set (e.g. https://chatgpt.com), every Access-Control-Allow-Origin the " +
            "stack sends is that origin: gateway responses and integration responses (CORS preflights) of the REST API's OpenAPI " +
            "documents and of standalone resources, and the function's CORS_ALLOW_ORIGIN. Exception: \"*\" on a method other than " +
            "OPTIONS and ANY that API Gateway answers itself (MOCK), i.e. a static public document such as the " +
            "MCP OAuth discovery metadata, which holds no user data and which any client may fetch without a token anyway; and the " +
            "MOCK preflight of the OAuth facade's token and revocation endpoints, \"*\" as Cognito's own token endpoint. Without " +
            "allowedCorsOrigin the policy does not apply (the stack's default origin is \"*\").",
        enforcementLevel: "mandatory",
        configSchema: {
            properties: {
                allowedCorsOrigin: { type: "string", description: "The one origin the stack may allow, e.g. https://chatgpt.com", pattern: "^https?://[^/*\\s]+$" },
            },
        },
        validateStack: (args, report: ReportViolation) => {
            const { allowedCorsOrigin } = args.getConfig<{ allowedCorsOrigin?: string }>();
            if (allowedCorsOrigin === undefined || allowedCorsOrigin === "") {
                args.notApplicable("no allowedCorsOrigin in the policy config");
            }
            const wrong = (origin: string | undefined) => origin !== undefined && origin !== allowedCorsOrigin;
            const message = (what: string, origin: string | undefined) =>
                `${what} allows the origin ${String(origin)}; the policy config allows only ${allowedCorsOrigin}.`;
            for (const api of apiDocuments(args.resources)) {
                if (api.document === undefined) {
                    report(unreadable(api), api.urn);
                    continue;
                }
                // "x-amazon-apigateway-gateway-responses": each response's responseParameters, as a Response resource's.
                for (const [type, response] of Object.entries(objectOf(api.document["x-amazon-apigateway-gateway-responses"]) ?? {})) {
                    for (const origin of allowOrigins(objectOf(response)?.responseParameters, "gatewayresponse.header.").filter(wrong)) {
                        report(message(`Gateway response ${type}`, origin), api.urn);
                    }
                }
                // "x-amazon-apigateway-integration.responses": each integration response's method.response.header mappings.
                for (const { method, path, operation } of operationsOf(api.document).operations) {
                    const mock = isMockOperation(operation);
                    const responses = objectOf(objectOf(operation["x-amazon-apigateway-integration"])?.responses) ?? {};
                    for (const [status, response] of Object.entries(responses)) {
                        for (const origin of allowOrigins(objectOf(response)?.responseParameters, "method.response.header.")) {
                            // The OAuth token and revocation endpoints' preflight is "*" by design, as Cognito's own
                            // token endpoint (handler/facade/cors.ts): no ambient credential rides on a token request.
                            const oauthPreflight = origin === "*" && mock && method === "OPTIONS" && FACADE_CORS_PATHS.includes(path);
                            if (wrong(origin) && !mayAllowAnyOrigin(origin, method, mock) && !oauthPreflight) {
                                report(message(`The ${method} ${path} integration response ${status}`, origin), api.urn);
                            }
                        }
                    }
                }
            }
            for (const response of args.resources.filter((r) => r.isType(aws.apigateway.Response))) {
                for (const origin of allowOrigins(response.props.responseParameters, "gatewayresponse.header.").filter(wrong)) {
                    report(message(`Gateway response ${String(response.props.responseType)}`, origin), response.urn);
                }
            }
            const integrations = args.resources.filter((r) => r.isType(aws.apigateway.Integration));
            for (const response of args.resources.filter((r) => r.isType(aws.apigateway.IntegrationResponse))) {
                const props = response.props;
                const method = String(props.httpMethod).toUpperCase();
                for (const origin of allowOrigins(props.responseParameters, "method.response.header.")) {
                    if (wrong(origin) && !mayAllowAnyOrigin(origin, method, hasMockIntegration(props, integrations))) {
                        report(message(`The ${method} integration response`, origin), response.urn);
                    }
                }
            }
            for (const fn of args.resources.filter((r) => r.isType(aws.lambda.Function))) {
                const variables = (fn.props.environment as { variables?: Record<string, unknown> } | undefined)?.variables;
                const origin = variables?.CORS_ALLOW_ORIGIN;
                if (typeof origin === "string" && wrong(origin)) {
                    report(message("The function's CORS_ALLOW_ORIGIN", origin), fn.urn);
                }
            }
        },
    },
    {
        name: "stages-are-throttled",
        description: "Every API Gateway stage has method settings for */* with a rate and a burst limit.",
        enforcementLevel: "mandatory",
        validateStack: (args, report: ReportViolation) => {
            const settings = args.resources.filter((r) => r.isType(aws.apigateway.MethodSettings));
            for (const stage of args.resources.filter((r) => r.isType(aws.apigateway.Stage))) {
                const throttled = settings.some((s) => {
                    const limits = s.props.settings as { throttlingRateLimit?: number; throttlingBurstLimit?: number } | undefined;
                    return s.props.restApi === stage.props.restApi &&
                        s.props.stageName === stage.props.stageName &&
                        s.props.methodPath === "*/*" &&
                        Number(limits?.throttlingRateLimit) > 0 &&
                        Number(limits?.throttlingBurstLimit) > 0;
                });
                if (!throttled) {
                    report(`Stage ${String(stage.props.stageName)} has no */* throttling; one caller could run up the bill.`, stage.urn);
                }
            }
        },
    },
];
