/** TLS for custom hosts: an ACM certificate validated through DNS in the Route 53 zone, and the zone's id. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** The id of the public hosted zone `zone`: `explicitId` when given, else looked up by name. */
export function hostedZoneId(zone: string, explicitId: string | undefined, parent: pulumi.Resource): pulumi.Output<string> {
    return explicitId !== undefined
        ? pulumi.output(explicitId)
        : aws.route53.getZoneOutput({ name: zone, privateZone: false }, { parent }).zoneId;
}

/**
 * A certificate for `host`, validated by a DNS record in `zoneId`; resolves once ACM has issued it. `region`
 * overrides the stack's (Cognito's custom domains need us-east-1); a per-resource region keeps the stack's
 * credentials and provider settings, which a second explicit provider would not.
 */
export function validatedCertificate(name: string, host: string, zoneId: pulumi.Input<string>, parent: pulumi.Resource, region?: string): pulumi.Output<string> {
    const opts = { parent };
    const certificate = new aws.acm.Certificate(`${name}-certificate`, { domainName: host, validationMethod: "DNS", region }, opts);
    const option = certificate.domainValidationOptions[0];
    const record = new aws.route53.Record(`${name}-certificate-validation`, {
        zoneId,
        name: option.resourceRecordName,
        type: option.resourceRecordType,
        records: [option.resourceRecordValue],
        ttl: 60,
        allowOverwrite: true,
    }, { parent });
    return new aws.acm.CertificateValidation(`${name}-certificate-validation`, {
        certificateArn: certificate.arn,
        validationRecordFqdns: [record.fqdn],
        region,
    }, opts).certificateArn;
}

/**
 * Alias records for `host` pointing at an AWS endpoint: A, and AAAA for IPv6 clients (review 2026-11-30, N2). The
 * AAAA record is harmless where the target serves no IPv6: CloudFront answers an IPv6 query for a distribution
 * without IPv6 with NOERROR and no address, so the client falls back to IPv4 (CloudFront API reference,
 * DistributionConfig `IsIPV6Enabled`); an API Gateway custom domain serves IPv6 once it is `dualstack`
 * ("IP address types for custom domain names in API Gateway").
 */
export function aliasRecords(name: string, host: string, zoneId: pulumi.Input<string>, target: { name: pulumi.Input<string>; zoneId: pulumi.Input<string> }, parent: pulumi.Resource): aws.route53.Record[] {
    const aliases = [{ name: target.name, zoneId: target.zoneId, evaluateTargetHealth: false }];
    // The A record keeps its logical name, so existing stacks only add the AAAA one.
    return [
        new aws.route53.Record(`${name}-alias`, { zoneId, name: host, type: "A", aliases }, { parent }),
        new aws.route53.Record(`${name}-alias-ipv6`, { zoneId, name: host, type: "AAAA", aliases }, { parent }),
    ];
}
