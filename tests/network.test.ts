import { expect } from "chai";
import { ConfigError, parseConfig } from "../infra/config";
import { runProgram, type Run } from "./harness";

const FUNCTION = "aws:lambda/function:Function";
type Statement = { Action: string[]; Resource: string | string[] };
const statementsOf = (run: Run) => (JSON.parse(String(run.one("aws:iam/rolePolicy:RolePolicy", "handler-logs-policy").inputs.policy)) as { Statement: Statement[] }).Statement;

describe("private data: the function in a VPC", () => {
    describe("with vpc.create", () => {
        let run: Run;
        before(async () => {
            run = await runProgram({ vpc: JSON.stringify({ create: true }) });
        });

        it("builds a VPC with awsx, private subnets in two zones and a single NAT gateway by default", () => {
            expect(run.one("awsx:ec2:Vpc").inputs).to.deep.include({
                cidrBlock: "10.0.0.0/16",
                numberOfAvailabilityZones: 2,
                natGateways: { strategy: "Single" },
                subnetStrategy: "Legacy",
            });
        });

        it("places the function in the private subnets with its own security group", () => {
            expect(run.one(FUNCTION, "-handler").inputs.vpcConfig).to.deep.equal({
                subnetIds: ["subnet-0mocka", "subnet-0mockb"],
                securityGroupIds: ["gpt-action-function-sg-id"],
            });
            const group = run.one("aws:ec2/securityGroup:SecurityGroup").inputs as { vpcId: string; ingress?: unknown[]; egress: Array<{ fromPort: number; cidrBlocks: string[] }> };
            expect(group.vpcId).to.equal("vpc-0mock");
            expect(group.ingress ?? []).to.be.empty;
            expect(group.egress.map((e) => [e.fromPort, e.cidrBlocks])).to.deep.equal([[443, ["0.0.0.0/0"]], [0, ["10.0.0.0/16"]]]);
        });

        it("grants the network-interface permissions Lambda needs, in this account and region", () => {
            const statements = statementsOf(run);
            expect(statements.find((s) => s.Action.includes("ec2:CreateNetworkInterface"))?.Resource).to.deep.equal([
                "arn:aws:ec2:us-east-1:123456789012:network-interface/*",
                "arn:aws:ec2:us-east-1:123456789012:subnet/*",
                "arn:aws:ec2:us-east-1:123456789012:security-group/*",
            ]);
            expect(statements.find((s) => s.Action.includes("ec2:DeleteNetworkInterface"))?.Resource).to.equal("arn:aws:ec2:us-east-1:123456789012:network-interface/*");
            expect(statements.find((s) => s.Resource === "*" && s.Action.includes("ec2:DescribeSubnets"))?.Action).to.deep.equal(["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"]);
        });

        it("uses one NAT gateway per zone when asked", async () => {
            const perAz = await runProgram({ vpc: JSON.stringify({ create: true, natGateways: "OnePerAz" }) });
            expect(perAz.one("awsx:ec2:Vpc").inputs.natGateways).to.deep.equal({ strategy: "OnePerAz" });
        });
    });

    it("places the function in an existing network as given", async () => {
        const existing = await runProgram({ vpc: JSON.stringify({ subnetIds: ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"], securityGroupIds: ["sg-0123456789abcdef0"] }) });
        expect(existing.all("awsx:ec2:Vpc")).to.be.empty;
        expect(existing.all("aws:ec2/securityGroup:SecurityGroup")).to.be.empty;
        expect(existing.one(FUNCTION, "-handler").inputs.vpcConfig).to.deep.equal({
            subnetIds: ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"],
            securityGroupIds: ["sg-0123456789abcdef0"],
        });
    });

    it("keeps the function out of any VPC, without EC2 permissions, by default", async () => {
        const plain = await runProgram();
        expect(plain.one(FUNCTION, "-handler").inputs.vpcConfig).to.be.undefined;
        expect(statementsOf(plain).flatMap((s) => s.Action).some((a) => a.startsWith("ec2:"))).to.be.false;
    });

    const bad: Array<[string, unknown, RegExp]> = [
        ["create that is not true", { create: "yes" }, /create: true/],
        ["an unknown NAT strategy", { create: true, natGateways: "None" }, /natGateways must be Single .* or OnePerAz/],
        ["subnets without security groups", { subnetIds: ["subnet-0123456789abcdef0"] }, /needs subnetIds .* and securityGroupIds/],
        ["a malformed subnet id", { subnetIds: ["my-subnet"], securityGroupIds: ["sg-0123456789abcdef0"] }, /subnetIds/],
        ["a list instead of an object", ["subnet-0123456789abcdef0"], /must be \{ create: true \}/],
    ];
    for (const [what, value, message] of bad) {
        it(`rejects ${what}`, () => {
            try {
                parseConfig({ vpc: JSON.stringify(value) }, "gpt-action", "dev");
                expect.fail("accepted");
            } catch (error) {
                expect(error).to.be.instanceOf(ConfigError);
                expect((error as ConfigError).problems[0]).to.match(/^vpc /).and.match(message).and.match(/Fix: pulumi config set --path vpc/);
            }
        });
    }
});
