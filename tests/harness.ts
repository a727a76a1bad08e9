/**
 * Runs the Pulumi program under mocks, the way `pulumi up` would run it: config from Pulumi.yaml's defaults and
 * a fixture stack file (never the repository's Pulumi.<stack>.yaml, which is the user's), overridden per test.
 * Records every resource's inputs.
 */
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import type { RouteEntry } from "../handler/routes";
import { GptActionApi } from "../infra/api";
import { stackFileConfig } from "../infra/stackFiles";

export const PROJECT = "gpt-action";
/** The stack file tests run on unless they pass another. */
export const FIXTURE_STACK_FILE = path.join(__dirname, "fixtures", "Pulumi.test.yaml");
const ACCOUNT = "123456789012";

export interface RecordedResource {
    readonly type: string;
    readonly name: string;
    /** Inputs with secrets unwrapped to their values. */
    readonly inputs: Record<string, unknown>;
    /** Top-level input names whose values were passed as secrets. */
    readonly secretInputs: string[];
}

/** True for the wrapper the SDK sends for a secret value. */
function isSecretValue(value: unknown): value is { value: unknown } {
    return typeof value === "object" && value !== null &&
        (value as Record<string, unknown>)[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig;
}

/** `value` with every secret wrapper replaced by the value it holds. */
function unwrapSecrets(value: unknown): unknown {
    if (isSecretValue(value)) {
        return unwrapSecrets(value.value);
    }
    if (Array.isArray(value)) {
        return value.map(unwrapSecrets);
    }
    if (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
    }
    return value;
}

/** The part of the mock monitor's RegisterResource request that names a resource's dependencies. */
interface RegisterRequest {
    getName(): string;
    getType(): string;
    getDependenciesList(): string[];
    getRetainondelete(): boolean;
    getDeletebeforereplace(): boolean;
    getIgnorechangesList(): string[];
}
interface MonitorWithRegister {
    registerResource(req: RegisterRequest, callback: unknown): unknown;
}

/**
 * The mocks API hides resource options; the request the SDK sends the (mock) monitor carries them. Wraps the
 * monitor to record, per "type name", the URNs each resource depends on (explicitly or through its inputs) and
 * whether it is kept on delete, deleted before replace, and which property paths its changes ignore.
 */
function recordOptions(dependencies: Map<string, string[]>, retained: Set<string>, deletedFirst: Set<string>, ignored: Map<string, string[]>): void {
    const monitor = pulumi.runtime.getMonitor() as unknown as MonitorWithRegister;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) => {
        const key = `${req.getType()} ${req.getName()}`;
        dependencies.set(key, req.getDependenciesList());
        if (req.getRetainondelete()) {
            retained.add(key);
        }
        if (req.getDeletebeforereplace()) {
            deletedFirst.add(key);
        }
        ignored.set(key, req.getIgnorechangesList());
        return register(req, callback);
    };
}

/** The program's exports, as `typeof import("../index")` says. */
export type Program = typeof import("../index");

/** A run of the program (or of any declarations, see runUnderMocks) and what it declared. */
export interface Run<P = Program> {
    /** What was run: the program's exports, or what `declare` returned. */
    readonly program: P;
    readonly resources: RecordedResource[];
    /** Tokens of the data sources the program called. */
    readonly calls: string[];
    /** URNs that the resource `type name` depends on. */
    dependenciesOf(resource: RecordedResource): string[];
    /** Whether the resource is declared with retainOnDelete. */
    isRetained(resource: RecordedResource): boolean;
    /** Whether the resource is declared with deleteBeforeReplace. */
    isDeletedBeforeReplace(resource: RecordedResource): boolean;
    /** The property paths of the resource's `ignoreChanges` option. */
    ignoredChangesOf(resource: RecordedResource): string[];
    /** The one resource of `type` (whose name ends with `nameSuffix`, if given); fails if there is not exactly one. */
    one(type: string, nameSuffix?: string): RecordedResource;
    all(type: string): RecordedResource[];
}

/** Computed outputs a real provider would return, shaped like AWS's, so that derived URLs can be asserted. */
function computedOutputs(type: string, name: string, inputs: Record<string, unknown>, region: string): { id: string; state: Record<string, unknown> } {
    const arn = (service: string, resource: string) => `arn:aws:${service}:${region}:${ACCOUNT}:${resource}`;
    switch (type) {
        case "aws:cognito/userPool:UserPool": {
            const id = `${region}_MockPool`;
            return { id, state: { arn: arn("cognito-idp", `userpool/${id}`) } };
        }
        case "aws:cognito/userPoolClient:UserPoolClient":
            if (name.includes("-cimd-")) {
                return { id: "mockcimdclientid", state: {} };
            }
            return name.includes("-mcp-")
                ? { id: "mockmcpclientid", state: { clientSecret: "mock-mcp-client-secret" } }
                : { id: "mockclientid", state: { clientSecret: "mock-client-secret" } };
        case "aws:cognito/userPoolDomain:UserPoolDomain":
            return { id: String(inputs.domain), state: { region, cloudfrontDistribution: "d111111abcdef8.cloudfront.net", cloudfrontDistributionZoneId: "Z2FDTNDATAQYW2" } };
        case "aws:acm/certificate:Certificate": {
            const domain = String(inputs.domainName);
            return {
                id: `${name}-id`,
                state: {
                    arn: arn("acm", `certificate/${name}`),
                    domainValidationOptions: [{ domainName: domain, resourceRecordName: `_x1.${domain}.`, resourceRecordType: "CNAME", resourceRecordValue: "_y1.acm-validations.aws." }],
                },
            };
        }
        case "aws:acm/certificateValidation:CertificateValidation":
            return { id: `${name}-id`, state: { certificateArn: inputs.certificateArn } };
        case "aws:route53/record:Record":
            return { id: `${name}-id`, state: { fqdn: String(inputs.name).replace(/\.$/, "") } };
        case "awsx:ec2:Vpc":
            return { id: `${name}-id`, state: { vpcId: "vpc-0mock", privateSubnetIds: ["subnet-0mocka", "subnet-0mockb"], publicSubnetIds: ["subnet-0mockc", "subnet-0mockd"] } };
        case "aws:apigateway/domainName:DomainName":
            return { id: `${name}-id`, state: { regionalDomainName: `d-mock.execute-api.${region}.amazonaws.com`, regionalZoneId: "ZMOCKREGIONAL" } };
        case "aws:apigateway/restApi:RestApi":
            return { id: "mockapi", state: { name: "gpt-action-api-mock", rootResourceId: "mockroot", executionArn: arn("execute-api", "mockapi") } };
        case "aws:apigateway/stage:Stage":
            return {
                id: `${name}-id`,
                state: {
                    invokeUrl: `https://${String(inputs.restApi)}.execute-api.${region}.amazonaws.com/${String(inputs.stageName)}`,
                    arn: `arn:aws:apigateway:${region}::/restapis/${String(inputs.restApi)}/stages/${String(inputs.stageName)}`,
                },
            };
        case "aws:wafv2/webAcl:WebAcl":
            return { id: `${name}-id`, state: { arn: arn("wafv2", `regional/webacl/${name}/id`) } };
        case "aws:lambda/function:Function": {
            const fnArn = arn("lambda", `function:${name}`);
            return { id: name, state: { name, arn: fnArn, invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${fnArn}/invocations` } };
        }
        case "aws:cloudwatch/logGroup:LogGroup":
            return { id: name, state: { name, arn: arn("logs", `log-group:${name}`) } };
        case "aws:iam/role:Role":
            return { id: name, state: { name, arn: `arn:aws:iam::${ACCOUNT}:role/${name}` } };
        case "aws:secretsmanager/secret:Secret": {
            // A secret's id is its ARN, which ends in six random characters.
            const secretArn = arn("secretsmanager", `secret:${name}-AbCdEf`);
            return { id: secretArn, state: { arn: secretArn } };
        }
        case "aws:secretsmanager/secretVersion:SecretVersion":
            return { id: `${String(inputs.secretId)}|version`, state: { arn: inputs.secretId, versionId: "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111" } };
        case "random:index/randomString:RandomString":
            return { id: `${name}-id`, state: { result: "482913" } };
        case "random:index/randomBytes:RandomBytes":
            return { id: `${name}-id`, state: { base64: Buffer.alloc(Number(inputs.length), 0xfb).toString("base64") } };
        case "random:index/randomPassword:RandomPassword":
            return { id: `${name}-id`, state: { result: "Mock-Temp-Password-1!" } };
        default:
            return { id: `${name}-id`, state: {} };
    }
}

export interface RunOptions {
    /** The stack name the program sees (e.g. in domain prefixes). Default: dev. */
    readonly stack?: string;
    /** The stack file whose values overlay Pulumi.yaml's defaults. Default: FIXTURE_STACK_FILE. */
    readonly stackFile?: string;
    /** Where to record resources; lets a test see what was declared before the program threw. */
    readonly resources?: RecordedResource[];
}

/** Runs index.ts with the stack file's config plus `overrides` (unqualified project keys). */
export function runProgram(overrides: Record<string, string> = {}, options: RunOptions = {}): Promise<Run> {
    return runUnderMocks(() => {
        // Load the program afresh, so it reads this run's config.
        const entry = require.resolve("../index");
        delete require.cache[entry];
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        return require(entry) as Program;
    }, overrides, options);
}

/** Runs `declare` (which declares resources, e.g. one component) under the same mocks and config as runProgram. */
export async function runUnderMocks<P>(declare: () => P, overrides: Record<string, string> = {}, options: RunOptions = {}): Promise<Run<P>> {
    const stack = options.stack ?? "dev";
    const resources = options.resources ?? [];
    const dependencies = new Map<string, string[]>();
    const calls: string[] = [];
    const retained = new Set<string>();
    const deletedFirst = new Set<string>();
    const ignored = new Map<string, string[]>();
    const config = stackFileConfig(options.stackFile ?? FIXTURE_STACK_FILE);
    for (const [key, value] of Object.entries(overrides)) {
        config[`${PROJECT}:${key}`] = value;
    }
    const region = config["aws:region"] ?? "us-east-1";

    await pulumi.runtime.setMocks({
        newResource(args) {
            const raw = args.inputs as Record<string, unknown>;
            const inputs = unwrapSecrets(raw) as Record<string, unknown>;
            const secretInputs = Object.keys(raw).filter((key) => isSecretValue(raw[key]));
            resources.push({ type: args.type, name: args.name, inputs, secretInputs });
            const { id, state } = computedOutputs(args.type, args.name, inputs, region);
            return { id, state: { region, ...inputs, ...state } };
        },
        // Strict: a data source nobody mocked must fail the test, not return nothing.
        call(args) {
            if (args.token === "aws:route53/getZone:getZone") {
                calls.push(args.token);
                return { id: "ZLOOKEDUP", zoneId: "ZLOOKEDUP", name: (args.inputs as { name: string }).name };
            }
            throw new Error(`unexpected data source call: ${args.token}`);
        },
    }, PROJECT, stack, false);
    pulumi.runtime.setAllConfig(config);
    recordOptions(dependencies, retained, deletedFirst, ignored);

    const program = declare();
    await pulumi.runtime.disconnect();

    const matching = (type: string) => resources.filter((r) => r.type === type);
    return {
        program,
        resources,
        calls,
        all: matching,
        dependenciesOf: (r) => dependencies.get(`${r.type} ${r.name}`) ?? [],
        isRetained: (r) => retained.has(`${r.type} ${r.name}`),
        isDeletedBeforeReplace: (r) => deletedFirst.has(`${r.type} ${r.name}`),
        ignoredChangesOf: (r) => ignored.get(`${r.type} ${r.name}`) ?? [],
        one(type, nameSuffix) {
            const found = matching(type).filter((r) => nameSuffix === undefined || r.name.endsWith(nameSuffix));
            if (found.length !== 1) {
                throw new Error(`expected one ${type}${nameSuffix ? ` named *${nameSuffix}` : ""}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`);
            }
            return found[0];
        },
    };
}

/** "type name" of a recorded resource. */
export const resourceKey = (r: { type: string; name: string }): string => `${r.type} ${r.name}`;

/** Every "type name.input" whose value differs between two runs (resources missing from `after` included). */
export function changedInputs(before: Run<unknown>, after: Run<unknown>): string[] {
    const changed: string[] = [];
    for (const old of before.resources) {
        const now = after.resources.find((r) => resourceKey(r) === resourceKey(old));
        for (const input of new Set([...Object.keys(old.inputs), ...Object.keys(now?.inputs ?? {})])) {
            if (JSON.stringify(old.inputs[input]) !== JSON.stringify(now?.inputs[input])) {
                changed.push(`${resourceKey(old)}.${input}`);
            }
        }
    }
    return changed;
}

/** The API component alone, built from `routes` with the mocks' pool and app client, without MCP, with CORS for every origin. */
export function runApi(routes: readonly RouteEntry[]): Promise<Run<GptActionApi>> {
    return runUnderMocks(() => new GptActionApi("gpt-action", {
        userPoolArn: "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_MockPool",
        appClientId: "mockclientid",
        scopes: ["openid"],
        routes,
        corsAllowOrigin: "*",
    }));
}

/** The files of a function's code archive, with their text. */
export async function archiveFiles(fn: RecordedResource): Promise<Record<string, string>> {
    const assets = await (fn.inputs.code as pulumi.asset.AssetArchive).assets;
    const files: Record<string, string> = {};
    for (const [file, asset] of Object.entries(assets)) {
        files[file] = await (asset as pulumi.asset.StringAsset).text;
    }
    return files;
}

/** The REST API's OpenAPI document, as the run's RestApiPut imports it. */
export function restApiDocumentOf(run: Run<unknown>): OpenApi30 {
    return JSON.parse(String(run.one("aws:apigateway/restApiPut:RestApiPut").inputs.body)) as OpenApi30;
}

/** The parts of an OpenAPI 3.0 document the tests read. */
export interface OpenApi30 {
    readonly openapi: string;
    readonly info: { readonly title: string; readonly description: string };
    readonly servers: ReadonlyArray<{ readonly url: string; readonly "x-amazon-apigateway-endpoint-configuration"?: Readonly<Record<string, unknown>> }>;
    readonly "x-amazon-apigateway-security-policy"?: string;
    readonly "x-amazon-apigateway-endpoint-access-mode"?: string;
    readonly paths: Record<string, Record<string, Operation30>>;
    readonly components: { readonly schemas: Record<string, Record<string, unknown>>; readonly securitySchemes: Record<string, Record<string, unknown>> };
    readonly "x-amazon-apigateway-request-validators": Record<string, Record<string, boolean>>;
    readonly "x-amazon-apigateway-gateway-responses": Record<string, GatewayResponse30>;
}

export interface Operation30 {
    readonly operationId?: string;
    readonly security?: Array<Record<string, string[]>>;
    readonly requestBody?: { readonly required: boolean; readonly content: Record<string, { readonly schema: { readonly $ref: string } }> };
    readonly responses: Record<string, { readonly description: string; readonly headers?: Record<string, unknown> }>;
    readonly "x-amazon-apigateway-request-validator"?: string;
    readonly "x-amazon-apigateway-integration": {
        readonly type: string;
        readonly httpMethod?: string;
        readonly uri?: string;
        readonly passthroughBehavior: string;
        readonly requestTemplates?: Record<string, string>;
        readonly responses?: Record<string, { readonly statusCode: string; readonly responseParameters: Record<string, string>; readonly responseTemplates?: Record<string, string> }>;
    };
}

export interface GatewayResponse30 {
    readonly statusCode?: number;
    readonly responseParameters: Record<string, string>;
    readonly responseTemplates: Record<string, string>;
}

/** An Output's value, for assertions. */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}

/** Every production switch on (with non-default values), and every one off. */
export const EVERYTHING_ON = {
    accessLogs: "true", tracing: "true", waf: "true", apiGatewayCloudWatchRole: "create", mfa: "on",
    deletionProtection: "on", threatProtection: "true", lambdaReservedConcurrency: "5",
    throttleRateLimit: "2.5", throttleBurstLimit: "5", logRetentionDays: "90", accessTokenMinutes: "15", refreshTokenDays: "7",
};
export const EVERYTHING_OFF = {
    accessLogs: "false", tracing: "false", waf: "false", apiGatewayCloudWatchRole: "existing", mfa: "off",
    deletionProtection: "off", threatProtection: "false", mcp: "false",
};

