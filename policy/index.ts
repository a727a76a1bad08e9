/** The policy pack: `pulumi preview --policy-pack policy` from the project root. */
import { PolicyPack } from "@pulumi/policy";
import { resourcePolicies, stackPolicies } from "./policies";

new PolicyPack("gpt-action", { policies: [...resourcePolicies, ...stackPolicies] });
