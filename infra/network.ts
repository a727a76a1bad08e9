/**
 * Private data (the cookbook's Redshift variant): the function in a VPC, either one made here with
 * @pulumi/awsx or an existing network. A VPC function reaches the internet (and public AWS endpoints) only
 * through NAT, costs a NAT gateway by the hour, and starts a little slower (see the README).
 */
import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import type * as pulumi from "@pulumi/pulumi";
import { isObject, parseJson } from "./json";

export type NetworkConfig =
    | { readonly create: true; readonly natGateways: "Single" | "OnePerAz" }
    | { readonly subnetIds: string[]; readonly securityGroupIds: string[] };

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

/** The ENI actions Lambda performs with the function's role to attach it to a VPC. */
export const VPC_ENI_ACTIONS = ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"];
/** The two Describe actions Lambda also needs; they support no resource-level permissions, so their resource is "*". */
export const VPC_DESCRIBE_ACTIONS = ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"];

/** Parses the `vpc` config value; returns the problem as text when it is not valid. */
export function parseNetwork(json: string): NetworkConfig | string {
    const v = parseJson(json);
    if (!isObject(v)) {
        return "must be { create: true } or { subnetIds: [...], securityGroupIds: [...] }";
    }
    if ("create" in v) {
        const extra = Object.keys(v).filter((k) => !["create", "natGateways"].includes(k));
        const nat = v.natGateways ?? "Single";
        if (v.create !== true || extra.length > 0) {
            return "with create must be { create: true, natGateways?: \"Single\" | \"OnePerAz\" }";
        }
        if (nat !== "Single" && nat !== "OnePerAz") {
            return "natGateways must be Single (one NAT gateway, the default) or OnePerAz (one per availability zone, for production); without NAT, bring your own network with VPC endpoints";
        }
        return { create: true, natGateways: nat };
    }
    const ids = (key: string, prefix: string) => {
        const list = v[key];
        return Array.isArray(list) && list.length > 0 && list.every((id) => typeof id === "string" && new RegExp(`^${prefix}-[0-9a-f]{8,17}$`).test(id)) ? list as string[] : undefined;
    };
    const subnetIds = ids("subnetIds", "subnet");
    const securityGroupIds = ids("securityGroupIds", "sg");
    const extra = Object.keys(v).filter((k) => !["subnetIds", "securityGroupIds"].includes(k));
    if (subnetIds === undefined || securityGroupIds === undefined || extra.length > 0) {
        return "for an existing network needs subnetIds (subnet-…) and securityGroupIds (sg-…), nothing else";
    }
    return { subnetIds, securityGroupIds };
}
