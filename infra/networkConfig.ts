/** The `vpc` setting: its type, its validation and the IAM actions a VPC function needs. Pure: no Pulumi. */
import { isObject, parseJson } from "./json";

export type NetworkConfig =
    | { readonly create: true; readonly natGateways: "Single" | "OnePerAz" }
    | { readonly subnetIds: string[]; readonly securityGroupIds: string[] };

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
