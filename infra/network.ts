/**
 * Private data (the cookbook's Redshift variant): the function in a VPC, either one made here with
 * @pulumi/awsx or an existing network. A VPC function reaches the internet (and public AWS endpoints) only
 * through NAT, costs a NAT gateway by the hour, and starts a little slower (see docs/deploy.md).
 */
import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import type * as pulumi from "@pulumi/pulumi";
import type { NetworkConfig } from "./networkConfig";

/** What the function is placed in. */
export interface FunctionNetwork {
    readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    readonly securityGroupIds: pulumi.Input<pulumi.Input<string>[]>;
}

/** The VPC made by `create`. */
export const VPC_CIDR = "10.0.0.0/16";

/** The function's network: a new VPC's private subnets and a security group, or the configured ones. */
export function functionNetwork(name: string, config: NetworkConfig, parent: pulumi.Resource): FunctionNetwork {
    if (!("create" in config)) {
        return { subnetIds: config.subnetIds, securityGroupIds: config.securityGroupIds };
    }
    const vpc = new awsx.ec2.Vpc(`${name}-vpc`, {
        cidrBlock: VPC_CIDR,
        numberOfAvailabilityZones: 2,
        natGateways: { strategy: config.natGateways },
        // awsx's default today, named so that its next major version (which "will change to defaulting to Auto",
        // awsx/ec2/vpc.d.ts) cannot re-address, and so replace, the subnets the function sits in.
        subnetStrategy: "Legacy",
    }, { parent });
    // No ingress: nothing connects to the function. Egress: HTTPS out (AWS APIs, through NAT) and anything
    // inside the VPC, where the private data lives.
    const group = new aws.ec2.SecurityGroup(`${name}-function-sg`, {
        vpcId: vpc.vpcId,
        description: "gpt-action function: HTTPS out, and the VPC's own addresses",
        egress: [
            { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"], description: "HTTPS" },
            { protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: [VPC_CIDR], description: "Data stores in the VPC" },
        ],
    }, { parent });
    return { subnetIds: vpc.privateSubnetIds, securityGroupIds: [group.id] };
}
