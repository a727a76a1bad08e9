/**
 * gpt-action's invariants as Pulumi CrossGuard policies. `pulumi preview --policy-pack policy` runs them against
 * a real preview; tests/policy.test.ts runs the same functions in-process over the resources the mocks record.
 */
import * as aws from "@pulumi/aws";
import {
    validateResourceOfType,
    type ReportViolation,
    type ResourceValidationPolicy,
    type StackValidationPolicy,
} from "@pulumi/policy";
import { callbackUrlProblem } from "../infra/callbacks";
import { XRAY_WRITE_ACTIONS } from "../infra/lambda";
import { VPC_DESCRIBE_ACTIONS } from "../infra/networkConfig";

interface Statement {
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


/**
 * Auth flows that send the password itself to Cognito's API: USER_PASSWORD and ADMIN_USER_PASSWORD, and their
 * legacy names (ADMIN_NO_SRP_AUTH, USER_PASSWORD_AUTH). Cognito docs: "Authentication flows" and
 * CreateUserPoolClient's ExplicitAuthFlows.
 */
export const PASSWORD_SENDING_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH", "USER_PASSWORD_AUTH"];

/** The one explicit auth flow an app client of this stack needs: refreshing tokens issued by the hosted UI. */
const ALLOWED_AUTH_FLOWS = ["ALLOW_REFRESH_TOKEN_AUTH"];

/** Why an app client's `explicitAuthFlows` is too broad, or undefined. */
export function authFlowsProblem(flows: readonly string[] | undefined): string | undefined {
    if (flows === undefined || flows.length === 0) {
        // CreateUserPoolClient: without ExplicitAuthFlows a client supports ALLOW_USER_SRP_AUTH and ALLOW_CUSTOM_AUTH too.
        return "sets no explicitAuthFlows, and Cognito then allows SRP and custom sign-in through its API; set [\"ALLOW_REFRESH_TOKEN_AUTH\"]";
    }
    const sending = flows.filter((f) => PASSWORD_SENDING_FLOWS.includes(f));
    if (sending.length > 0) {
        return `allows ${sending.join(", ")}, which send the user's password to Cognito's API; allow only ALLOW_REFRESH_TOKEN_AUTH`;
    }
    const other = flows.filter((f) => !ALLOWED_AUTH_FLOWS.includes(f));
    if (other.length > 0) {
        return `allows ${other.join(", ")}, sign-in through Cognito's API outside the hosted UI; allow only ALLOW_REFRESH_TOKEN_AUTH`;
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
        description: "A Lambda permission for API Gateway names the API, stage, method and path it allows (sourceArn).",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.lambda.Permission, (permission, _args, report) => {
            if (!permission.sourceArn) {
                report(`The permission lets ${permission.principal} invoke the function from anywhere; set sourceArn.`);
            } else if (/\/\*\/\*|\*$/.test(permission.sourceArn) && permission.principal === "apigateway.amazonaws.com") {
                report(`sourceArn ${permission.sourceArn} allows every stage, method or path; name the one route.`);
            }
        }),
    },
    {
        name: "iam-no-wildcards",
        description: 'No IAM statement allows a wildcard action or "*" resources (except actions without resource-level permissions: X-Ray writes, and EC2 Describe calls for VPC functions), and no AWS-managed policy is attached.',
        enforcementLevel: "mandatory",
        validateResource: [
            validateResourceOfType(aws.iam.RolePolicy, (policy, _args, report) => {
                for (const statement of statementsOf(policy.policy)) {
                    const problem = statementProblem(statement);
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
        description: "App clients allow no sign-in through Cognito's API, only ALLOW_REFRESH_TOKEN_AUTH: users sign in on the hosted UI. " +
            "Flagged: the flows that send the password (ALLOW_USER_PASSWORD_AUTH, ALLOW_ADMIN_USER_PASSWORD_AUTH and the legacy " +
            "ADMIN_NO_SRP_AUTH, USER_PASSWORD_AUTH), and also ALLOW_USER_SRP_AUTH, ALLOW_CUSTOM_AUTH and ALLOW_USER_AUTH: SRP keeps the " +
            "password off the wire but is still a password sign-in that anyone holding the (public) client id can script around the " +
            "hosted UI; and an unset list, which Cognito reads as SRP and custom auth.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.cognito.UserPoolClient, (client, _args, report) => {
            const problem = authFlowsProblem(client.explicitAuthFlows);
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
        description: "Every API Gateway method is behind a Cognito user-pool authorizer with OAuth scopes, but CORS preflights and " +
            "MOCK methods that API Gateway answers itself (the public OAuth metadata documents).",
        enforcementLevel: "mandatory",
        validateStack: (args, report: ReportViolation) => {
            const integrations = args.resources.filter((r) => r.isType(aws.apigateway.Integration));
            const sameMethod = (a: Record<string, unknown>, b: Record<string, unknown>) =>
                a.restApi === b.restApi && a.resourceId === b.resourceId && a.httpMethod === b.httpMethod;
            for (const method of args.resources.filter((r) => r.isType(aws.apigateway.Method))) {
                const props = method.props;
                if (props.authorization !== "COGNITO_USER_POOLS" || !props.authorizerId) {
                    const answeredByApiGateway = props.httpMethod === "OPTIONS" ||
                        integrations.some((i) => i.props.type === "MOCK" && sameMethod(i.props, props));
                    if (!answeredByApiGateway) {
                        report(`${String(props.httpMethod)} has authorization "${String(props.authorization)}"; use the Cognito authorizer.`, method.urn);
                    }
                } else if (!Array.isArray(props.authorizationScopes) || props.authorizationScopes.length === 0) {
                    report(`${String(props.httpMethod)} has no authorizationScopes; without scopes API Gateway also accepts ID tokens.`, method.urn);
                }
            }
        },
    },
    {
        name: "cors-origin-as-configured",
        description: "With the policy config allowedCorsOrigin set (e.g. https://chatgpt.com), every Access-Control-Allow-Origin the " +
            "stack sends is that origin: gateway responses, integration responses (CORS preflights) and the function's CORS_ALLOW_ORIGIN. " +
            "Exception: \"*\" on a non-OPTIONS method that API Gateway answers itself (MOCK), i.e. a static public document such as the " +
            "MCP OAuth discovery metadata, which holds no user data and which any client may fetch without a token anyway. Without " +
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
            for (const response of args.resources.filter((r) => r.isType(aws.apigateway.Response))) {
                const origin = staticHeaderValue((response.props.responseParameters as Record<string, unknown> | undefined)?.[`gatewayresponse.header.${ALLOW_ORIGIN}`]);
                if (wrong(origin)) {
                    report(message(`Gateway response ${String(response.props.responseType)}`, origin), response.urn);
                }
            }
            const integrations = args.resources.filter((r) => r.isType(aws.apigateway.Integration));
            for (const response of args.resources.filter((r) => r.isType(aws.apigateway.IntegrationResponse))) {
                const props = response.props;
                const origin = staticHeaderValue((props.responseParameters as Record<string, unknown> | undefined)?.[`method.response.header.${ALLOW_ORIGIN}`]);
                if (!wrong(origin)) {
                    continue;
                }
                const publicDocument = origin === "*" && props.httpMethod !== "OPTIONS" && integrations.some((i) => i.props.type === "MOCK" &&
                    i.props.restApi === props.restApi && i.props.resourceId === props.resourceId && i.props.httpMethod === props.httpMethod);
                if (!publicDocument) {
                    report(message(`The ${String(props.httpMethod)} integration response`, origin), response.urn);
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
