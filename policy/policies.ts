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
