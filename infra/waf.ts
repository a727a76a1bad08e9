/** An optional AWS WAF web ACL in front of the stage, with AWS managed rule groups. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** AWS managed rule groups: common exploits, known bad inputs, and IP addresses with a bad reputation. */
export const MANAGED_RULE_GROUPS = ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesAmazonIpReputationList"];

/** Associates a new REGIONAL web ACL with the stage `stageArn`. */
export function createWaf(name: string, stageArn: pulumi.Output<string>, parent: pulumi.Resource): aws.wafv2.WebAcl {
    const visibility = (metric: string) => ({ cloudwatchMetricsEnabled: true, metricName: metric, sampledRequestsEnabled: true });
    const acl = new aws.wafv2.WebAcl(`${name}-acl`, {
        scope: "REGIONAL",
        defaultAction: { allow: {} },
        visibilityConfig: visibility(`${name}-acl`),
        rules: MANAGED_RULE_GROUPS.map((group, priority) => ({
            name: group,
            priority,
            overrideAction: { none: {} },
            statement: {
                managedRuleGroupStatement: {
                    vendorName: "AWS",
                    name: group,
                    // The common rule set blocks bodies over 8 KB; a GPT may send up to 100,000 characters, which the
                    // handler checks itself. Count instead of block.
                    ...(group === "AWSManagedRulesCommonRuleSet"
                        ? { ruleActionOverrides: [{ name: "SizeRestrictions_BODY", actionToUse: { count: {} } }] }
                        : {}),
                },
            },
            visibilityConfig: visibility(group),
        })),
    }, { parent });
    new aws.wafv2.WebAclAssociation(`${name}-association`, { resourceArn: stageArn, webAclArn: acl.arn }, { parent });
    return acl;
}
