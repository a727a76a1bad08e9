/** The handler's Lambda function with the only permissions it needs: writing to its own log group. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { bundleHandler } from "./bundle";
import { arnInAccount, serviceTrustPolicy } from "./iam";
import type { FunctionNetwork } from "./network";
import { VPC_DESCRIBE_ACTIONS, VPC_ENI_ACTIONS } from "./networkConfig";

export interface HandlerFunctionArgs {
    /** The handler's entry module, bundled with esbuild when the program runs. */
    readonly entry: string;
    readonly timeoutSeconds: pulumi.Input<number>;
    readonly memoryMb: pulumi.Input<number>;
    readonly logRetentionDays: pulumi.Input<number>;
    /**
     * Settings for the handler. Never a secret: Lambda shows environment variables to anyone allowed the read-only
     * lambda:GetFunctionConfiguration; a secret lives in Secrets Manager and the environment names it.
     */
    readonly environment: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** IAM statements the role's one policy adds to its logs (and traces) statements, e.g. reading one secret. */
    readonly statements?: pulumi.Input<readonly object[]>;
    /** Active X-Ray tracing, and the role's permission to send traces. */
    readonly tracing: boolean;
    /** Concurrency reserved for the function (and its cap); undefined reserves none. */
    readonly reservedConcurrency?: pulumi.Input<number>;
    /** Subnets and security groups to place the function in; undefined keeps it outside any VPC. */
    readonly network?: FunctionNetwork;
}

/** X-Ray's write actions; they support no resource-level permissions, so their resource must be "*". */
export const XRAY_WRITE_ACTIONS = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"];

export interface HandlerFunction {
    readonly fn: aws.lambda.Function;
    readonly logGroup: aws.cloudwatch.LogGroup;
    readonly role: aws.iam.Role;
}

/** Declares the function, its log group and its role as children of `parent`, named `${name}-…`. */
export function createHandlerFunction(name: string, args: HandlerFunctionArgs, parent: pulumi.Resource): HandlerFunction {
    const opts = { parent };
    const bundle = bundleHandler(args.entry);

    const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, {
        retentionInDays: args.logRetentionDays,
    }, opts);

    const role = new aws.iam.Role(`${name}-role`, {
        assumeRolePolicy: serviceTrustPolicy("lambda.amazonaws.com"),
    }, opts);

    // Least privilege: write log events to this function's group (no AWSLambdaBasicExecutionRole, whose logs
    // permissions cover every group), with tracing send traces, and what `statements` adds; nothing else.
    const logPolicy = new aws.iam.RolePolicy(`${name}-logs-policy`, {
        role: role.id,
        policy: pulumi.all([logGroup.arn, args.statements ?? []]).apply(([arn, statements]) => JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                { Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${arn}:*` },
                ...(args.tracing ? [{ Effect: "Allow", Action: XRAY_WRITE_ACTIONS, Resource: "*" }] : []),
                ...(args.network === undefined ? [] : vpcStatements(arn)),
                ...statements,
            ],
        })),
    }, opts);

    const fn = new aws.lambda.Function(`${name}`, {
        // Node.js 24: GA on Lambda since November 2025; nodejs22.x's standard support ends April 30, 2027 ("Lambda
        // runtimes", Lambda developer guide). Keep infra/bundle.ts's esbuild target and package.json's engines equal.
        runtime: aws.lambda.Runtime.NodeJS24dX,
        architectures: ["arm64"],
        handler: "index.handler",
        // index.js and the files it loads later (mcp.js), with their source maps.
        code: new pulumi.asset.AssetArchive(Object.fromEntries(
            Object.entries(bundle.files).map(([name, text]) => [name, new pulumi.asset.StringAsset(text)]),
        )),
        role: role.arn,
        timeout: args.timeoutSeconds,
        memorySize: args.memoryMb,
        environment: {
            variables: pulumi.output(args.environment).apply((vars) => ({ ...vars, NODE_OPTIONS: "--enable-source-maps" })),
        },
        // Without this, Lambda writes to an unmanaged /aws/lambda/<name> group that keeps logs forever and that
        // the scoped policy above does not cover.
        loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
        tracingConfig: { mode: args.tracing ? "Active" : "PassThrough" },
        reservedConcurrentExecutions: args.reservedConcurrency,
        vpcConfig: args.network,
    }, { parent, dependsOn: [logPolicy] });

    return { fn, logGroup, role };
}

/**
 * What Lambda needs to attach the function to a VPC, in this account and region only (read from the function's
 * log group ARN). AWS's managed AWSLambdaVPCAccessExecutionRole grants the same on every resource.
 */
function vpcStatements(logGroupArn: string): object[] {
    const ec2 = (resource: string) => arnInAccount(logGroupArn, "ec2", resource);
    return [
        { Effect: "Allow", Action: ["ec2:CreateNetworkInterface"], Resource: [ec2("network-interface/*"), ec2("subnet/*"), ec2("security-group/*")] },
        { Effect: "Allow", Action: VPC_ENI_ACTIONS.filter((a) => a !== "ec2:CreateNetworkInterface"), Resource: ec2("network-interface/*") },
        { Effect: "Allow", Action: VPC_DESCRIBE_ACTIONS, Resource: "*" },
    ];
}
