/** An optional AWS WAF web ACL in front of the stage and the Cognito user pool, with AWS managed rule groups. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { FACADE_PREFIX } from "../handler/facade/paths";

/** AWS managed rule groups: common exploits, known bad inputs, and IP addresses with a bad reputation. */
export const MANAGED_RULE_GROUPS = ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesAmazonIpReputationList"];

/**
 * Core rule set rules that block legitimate OAuth traffic at the facade's endpoints, with the label each adds
 * ("Baseline rule groups", AWS WAF Developer Guide). They count inside the rule group and are enforced again, by
 * label, everywhere but at the facade's endpoints and Cognito's token and revoke (FACADE_EXCEPTION_RULE).
 * - GenericRFI_QUERYARGUMENTS, GenericRFI_BODY: "URLs that contain IPv4 addresses"; a native client's loopback
 *   redirect URI (`http://127.0.0.1:<port>/callback`, RFC 8252 §7.3) is one, in the authorize query and the token form.
 * - NoUserAgent_HEADER: token and revoke calls come from clients' back ends, whose HTTP stacks may send no
 *   User-Agent; RFC 6749 asks for none.
 * SizeRestrictions_QUERYSTRING (2,048 bytes) stays on: the facade keeps the signed state it sends through Cognito
 * to its callback below it (handler/facade/authorize.ts).
 */
export const FACADE_EXEMPT_RULES: Readonly<Record<string, string>> = {
    GenericRFI_QUERYARGUMENTS: "awswaf:managed:aws:core-rule-set:GenericRFI_QueryArguments",
    GenericRFI_BODY: "awswaf:managed:aws:core-rule-set:GenericRFI_Body",
    NoUserAgent_HEADER: "awswaf:managed:aws:core-rule-set:NoUserAgent_Header",
};

/**
 * Cognito's token and revocation endpoints, as WAF sees them on the user pool (the hosted UI's host, prefix or custom
 * domain; "User pool endpoints and managed login reference"). The same OAuth back-end calls as the facade's token
 * and revoke, from ChatGPT's back end for the GPT Action: they get the same exemption. The route table reserves
 * /oauth2 (infra/routeTable.ts), so on the API's custom domain no route matches these.
 */
export const COGNITO_OAUTH_PATHS = ["/oauth2/token", "/oauth2/revoke"] as const;

/** The name of the rule that blocks FACADE_EXEMPT_RULES' matches outside the facade's and Cognito's OAuth endpoints. */
export const FACADE_EXCEPTION_RULE = "CoreRuleSetOutsideOAuthEndpoints";

/**
 * A request to one of the facade's endpoints, as WAF sees the URI path: `/<stage>/oauth/<name>` on the execute-api
 * host, `/oauth/<name>` on a custom domain (the stage at the host's root). One segment of plain characters and
 * nothing after it, matched on the raw path: a dot segment or an encoded slash never reads as the facade's, so no
 * path that API Gateway could route elsewhere is exempt. The route table reserves every path under /oauth
 * (infra/routeTable.ts), so each match is the facade's, including an endpoint added later. Two alternatives rather
 * than an optional group: AWS WAF's regular expressions have no capturing subexpressions ("Supported regular
 * expression syntax in AWS WAF").
 */
export function facadePathPattern(stageName: string): string {
    const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const endpoint = `${escape(FACADE_PREFIX)}/[A-Za-z0-9_-]+$`;
    return `^/${escape(stageName)}${endpoint}|^${endpoint}`;
}

/** The URI paths where FACADE_EXEMPT_RULES stay counted: the facade's endpoints and Cognito's token and revoke. */
export function oauthEndpointPattern(stageName: string): string {
    return [facadePathPattern(stageName), ...COGNITO_OAUTH_PATHS.map((path) => `^${path}$`)].join("|");
}

/** What the web ACL protects: the API's stage and the user pool. */
export interface WafTargets {
    readonly stageArn: pulumi.Input<string>;
    readonly userPoolArn: pulumi.Input<string>;
}

/**
 * Associates a new REGIONAL web ACL with the stage and the user pool. On the user pool, WAF inspects every managed
 * login endpoint (sign-in pages, /oauth2/authorize, /oauth2/token, …) and the unauthenticated Cognito API operations
 * ("Associate an AWS WAF web ACL with a user pool", Cognito developer guide): the credential-stuffing surface the
 * stage's ACL never saw (review 2026-11-30, H8). The same rules suit it: none needs the PII Cognito keeps from WAF
 * (usernames, passwords, emails), none is the ATP group Cognito refuses, none presents a CAPTCHA (which can break
 * managed login's TOTP registration); docs/deploy-readiness-api.md has the rule-by-rule reading.
 */
export function createWaf(name: string, targets: WafTargets, stageName: string, parent: pulumi.Resource): aws.wafv2.WebAcl {
    const visibility = (metric: string) => ({ cloudwatchMetricsEnabled: true, metricName: metric, sampledRequestsEnabled: true });
    const managed = MANAGED_RULE_GROUPS.map((group, priority) => ({
        name: group,
        priority,
        overrideAction: { none: {} },
        statement: {
            managedRuleGroupStatement: {
                vendorName: "AWS",
                name: group,
                ...(group === "AWSManagedRulesCommonRuleSet" ? { ruleActionOverrides: commonRuleSetOverrides() } : {}),
            },
        },
        visibilityConfig: visibility(group),
    }));
    // AWS's pattern for excluding a managed rule from some requests only: override it to Count in the group, then
    // a later rule blocks what carries its label, scoped down to the requests still to protect ("Overriding rule
    // group actions" and "Label match rule statement", AWS WAF Developer Guide). Labels reach rules evaluated after
    // the group, so this rule comes last. Nesting stays within the provider's three levels (wafv2/webAcl.d.ts).
    const exception = {
        name: FACADE_EXCEPTION_RULE,
        priority: MANAGED_RULE_GROUPS.length,
        action: { block: {} },
        statement: {
            andStatement: {
                statements: [
                    { orStatement: { statements: Object.values(FACADE_EXEMPT_RULES).map((key) => ({ labelMatchStatement: { scope: "LABEL", key } })) } },
                    {
                        notStatement: {
                            statement: {
                                regexMatchStatement: {
                                    regexString: oauthEndpointPattern(stageName),
                                    fieldToMatch: { uriPath: {} },
                                    textTransformations: [{ priority: 0, type: "NONE" }],
                                },
                            },
                        },
                    },
                ],
            },
        },
        visibilityConfig: visibility(FACADE_EXCEPTION_RULE),
    };
    const acl = new aws.wafv2.WebAcl(`${name}-acl`, {
        scope: "REGIONAL",
        defaultAction: { allow: {} },
        visibilityConfig: visibility(`${name}-acl`),
        rules: [...managed, exception],
    }, { parent });
    new aws.wafv2.WebAclAssociation(`${name}-association`, { resourceArn: targets.stageArn, webAclArn: acl.arn }, { parent });
    // A user pool takes one web ACL, through WAF's AssociateWebACL; WAF may answer WAFUnavailableEntityException
    // while a new ACL propagates (same guide), which the provider retries.
    new aws.wafv2.WebAclAssociation(`${name}-user-pool-association`, { resourceArn: targets.userPoolArn, webAclArn: acl.arn }, { parent });
    return acl;
}

/**
 * The core rule set's overrides: the 8 KB body rule only counts everywhere (a GPT may send up to 100,000
 * characters, which the handler checks itself); FACADE_EXEMPT_RULES count here and block again outside the facade.
 */
function commonRuleSetOverrides(): Array<{ name: string; actionToUse: { count: object } }> {
    return ["SizeRestrictions_BODY", ...Object.keys(FACADE_EXEMPT_RULES)].map((rule) => ({ name: rule, actionToUse: { count: {} } }));
}
