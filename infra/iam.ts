/** Small IAM helpers shared by the roles this program makes. */

/** A trust policy that lets `service` (e.g. lambda.amazonaws.com) assume the role. */
export function serviceTrustPolicy(service: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
    });
}

/** An ARN of `service` in the partition, region and account of `sameAccountArn` (any regional ARN there). */
export function arnInAccount(sameAccountArn: string, service: string, resource: string): string {
    const [, partition, , region, account] = sameAccountArn.split(":");
    return `arn:${partition}:${service}:${region}:${account}:${resource}`;
}
