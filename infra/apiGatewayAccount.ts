/**
 * The region's API Gateway CloudWatch role. Without it, a stage with access logs fails to deploy with "CloudWatch
 * Logs role ARN must be set in account settings to enable logging". The setting is region-wide and other APIs
 * may rely on it, so the role, its policy and the setting are kept (retainOnDelete) when the stack is destroyed.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { arnInAccount, serviceTrustPolicy } from "./iam";

/** The log actions of AWS's AmazonAPIGatewayPushToCloudWatchLogs policy, granted inline instead. */
const API_GATEWAY_LOG_ACTIONS = [
    "logs:CreateLogGroup",
    "logs:CreateLogStream",
    "logs:DescribeLogGroups",
    "logs:DescribeLogStreams",
    "logs:PutLogEvents",
    "logs:GetLogEvents",
    "logs:FilterLogEvents",
];

/**
 * Declares the role and sets it for the region. `logGroupArn` is any log group of this account and region; the
 * policy covers that account's and region's log groups only.
 */
export function createApiGatewayAccount(name: string, logGroupArn: pulumi.Output<string>, parent: pulumi.Resource): aws.apigateway.Account {
    const opts = { parent, retainOnDelete: true };
    const role = new aws.iam.Role(`${name}-cloudwatch-role`, {
        description: "Lets API Gateway write access and execution logs in this region (shared by every API).",
        assumeRolePolicy: serviceTrustPolicy("apigateway.amazonaws.com"),
    }, opts);
    const policy = new aws.iam.RolePolicy(`${name}-cloudwatch-policy`, {
        role: role.id,
        policy: logGroupArn.apply((arn) => {
            // Every log group of the log group's account and region.
            const groups = arnInAccount(arn, "logs", "log-group:*");
            return JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Action: API_GATEWAY_LOG_ACTIONS, Resource: [groups, `${groups}:log-stream:*`] }],
            });
        }),
    }, opts);
    return new aws.apigateway.Account(`${name}-account`, { cloudwatchRoleArn: role.arn }, { ...opts, dependsOn: [policy] });
}
