/** GptActionApi: the REST API ChatGPT calls, every method behind a Cognito authorizer, and its Lambda. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import type { RouteEntry } from "../handler/routes";
import { HANDLER_ENTRY } from "./bundle";
import { createHandlerFunction } from "./lambda";
import { createApiGatewayAccount } from "./apiGatewayAccount";
import { aliasRecord, hostedZoneId, validatedCertificate } from "./certificates";
import { DEFAULT_INFO, openApiSchemaText, requestModelSchema, type OpenApiInfo } from "./openapi";
import type { CustomHost } from "./config";
import { authorizationServerMetadata, bearerChallenge, MCP_METADATA_PATHS, mcpServerUrl, protectedResourceMetadata, type CognitoEndpoints } from "./mcpMetadata";
import { functionNetwork } from "./network";
import type { NetworkConfig } from "./networkConfig";
import { createWaf } from "./waf";
import { routeTableError } from "./routeTable";

export interface GptActionApiArgs {
    /** ARN of the Cognito user pool whose access tokens the authorizer accepts. */
    readonly userPoolArn: pulumi.Input<string>;
    /** The app client ChatGPT uses; the handler refuses tokens issued to any other client of the pool. */
    readonly appClientId: pulumi.Input<string>;
    /** OAuth scopes; a method accepts an access token that holds any one of them. */
    readonly scopes: pulumi.Input<pulumi.Input<string>[]>;
    /** The route table (metadata and schemas only) that the API is built from. */
    readonly routes: readonly RouteEntry[];
    /** Stage name, the first path segment of the API URL. Default: "Prod". */
    readonly stageName?: string;
    /**
     * CORS origin for responses and OPTIONS preflights. Default: undefined, no CORS and no OPTIONS methods.
     * Plain, not an Input: it decides which resources exist.
     */
    readonly corsAllowOrigin?: string;
    /** Lambda timeout in seconds. Default: 25 (API Gateway gives up after 29). */
    readonly lambdaTimeout?: pulumi.Input<number>;
    /** Lambda memory in MB. Default: 256. */
    readonly lambdaMemory?: pulumi.Input<number>;
    /** Concurrency reserved for (and capping) the function. Default: none reserved. */
    readonly lambdaReservedConcurrency?: pulumi.Input<number>;
    /** Retention of the function's and the stage's logs, in days. Default: 30. */
    readonly logRetentionDays?: pulumi.Input<number>;
    /** JSON access logs for the stage. Default: true. Plain: it decides which resources exist. */
    readonly accessLogs?: boolean;
    /**
     * With access logs, "create" makes the region's API Gateway CloudWatch role and sets it (kept when the stack
     * is destroyed, since the setting is region-wide); "existing" relies on the one already set. Default: "create".
     */
    readonly apiGatewayCloudWatchRole?: "create" | "existing";
    /** Stage-wide throttling: steady requests per second and burst. Default: 10 and 20. */
    readonly throttle?: { readonly rateLimit: pulumi.Input<number>; readonly burstLimit: pulumi.Input<number> };
    /** X-Ray tracing on the stage and the function. Default: true. */
    readonly tracing?: boolean;
    /** An AWS WAF web ACL with AWS managed rule groups in front of the stage. Default: false. */
    readonly waf?: boolean;
    /** Places the function in a VPC made here ({ create: true }) or an existing one. Default: no VPC. */
    readonly vpc?: NetworkConfig;
    /**
     * Serves the stage at the root of this host of a Route 53 zone (a REGIONAL custom domain with its certificate,
     * a base path mapping and an alias record); `url` becomes https://<host>. Default: the execute-api URL.
     */
    readonly customDomain?: CustomHost;
    /** The handler's entry module. Default: handler/index.ts. */
    readonly handlerEntry?: string;
    /** Title and description of the generated OpenAPI document. */
    readonly info?: OpenApiInfo;
    /** Serves the route table as an MCP server at /mcp too, with its OAuth metadata. Default: none. */
    readonly mcp?: McpApiArgs;
}

export interface McpApiArgs {
    /** The MCP app client: /mcp takes only its tokens, and the GPT routes refuse them. */
    readonly clientId: pulumi.Input<string>;
    /** The scope /mcp requires (the MCP resource server's). */
    readonly scope: pulumi.Input<string>;
    /** Cognito's endpoints, which the authorization server metadata points to. */
    readonly cognito: { readonly [K in keyof CognitoEndpoints]: pulumi.Input<string> };
}

/** Gateway-generated errors that keep a JSON body (and CORS headers, so a browser can read them). */
const GATEWAY_RESPONSES: Record<string, { statusCode?: string; template?: string; headers?: Record<string, string> }> = {
    // RFC 6750: a 401 for a bearer-token API says which scheme it wants.
    UNAUTHORIZED: { statusCode: "401", headers: { "WWW-Authenticate": "'Bearer'" } },
    ACCESS_DENIED: { statusCode: "403" },
    // What the request validator found, so the model can correct its call. Gateway response templates get plain
    // variable substitution, not VTL, so this is AWS's documented form.
    BAD_REQUEST_BODY: {
        statusCode: "400",
        template: '{"message":$context.error.messageString,"validationErrors":"$context.error.validationErrorString"}',
    },
    DEFAULT_4XX: {},
    DEFAULT_5XX: {},
};
const DEFAULT_RESPONSE_TEMPLATE = '{"message":$context.error.messageString}';

/** One JSON object per request in the access log; never headers or bodies. */
const ACCESS_LOG_FORMAT = JSON.stringify({
    requestId: "$context.requestId",
    ip: "$context.identity.sourceIp",
    requestTime: "$context.requestTime",
    httpMethod: "$context.httpMethod",
    resourcePath: "$context.resourcePath",
    status: "$context.status",
    responseLength: "$context.responseLength",
    integrationLatency: "$context.integrationLatency",
    sub: "$context.authorizer.claims.sub",
    error: "$context.error.message",
    wafResponse: "$context.waf.status",
});

const CORS_ALLOW_HEADERS = "Content-Type,Authorization,X-Amz-Date,X-Api-Key,X-Amz-Security-Token,Mcp-Protocol-Version,Mcp-Session-Id";

/** Headers of the public MCP discovery documents (static values, so in single quotes). */
const METADATA_HEADERS: Record<string, string> = {
    // Public documents, readable from every origin (browser-based MCP clients read them).
    "Access-Control-Allow-Origin": "'*'",
    "Cache-Control": "'public, max-age=3600'",
};

/**
 * A MOCK integration's request template: the status it answers with (AWS: "Mock integrations for REST APIs in API
 * Gateway"). The provider requires `passthroughBehavior` with `requestTemplates` (integration.d.ts). WHEN_NO_TEMPLATES,
 * AWS's recommended value ("Method request behavior for payloads without mapping templates"): a body of a type the
 * template does not map gets 415, instead of reaching the mock raw and failing it.
 */
const MOCK_REQUEST = { requestTemplates: { "application/json": '{"statusCode": 200}' }, passthroughBehavior: "WHEN_NO_TEMPLATES" } as const;

/** The body validator's settings. */
const VALIDATOR = { validateRequestBody: true, validateRequestParameters: false } as const;

/**
 * Everything that shapes the API's snapshot and is known when the program runs, as JSON: the routes and their
 * models, CORS, the gateway responses, the MOCK integrations' templates and headers, the validator. The deployment
 * trigger hashes it (with the Outputs: scopes, ARNs, MCP documents), since a Deployment is a snapshot that a change
 * to any of these leaves stale until it is replaced (deployment.d.ts: "triggers ... when changed, will trigger a
 * redeployment").
 */
export function deploymentDefinition(routes: readonly RouteEntry[], cors: string | undefined, mcp: boolean): string {
    return JSON.stringify({
        routes: routes.map(({ method, path, operationId, request }) =>
            ({ method, path, operationId, model: request === undefined ? null : requestModelSchema(request) })),
        cors: cors ?? null,
        corsAllowHeaders: CORS_ALLOW_HEADERS,
        gatewayResponses: GATEWAY_RESPONSES,
        defaultResponseTemplate: DEFAULT_RESPONSE_TEMPLATE,
        mock: MOCK_REQUEST,
        metadataHeaders: METADATA_HEADERS,
        validator: VALIDATOR,
        mcp,
    });
}


/** API Gateway model names are alphanumeric (CreateModel: "Must be alphanumeric"). */
export function modelName(operationId: string): string {
    return `${operationId.replace(/[^A-Za-z0-9]/g, "")}Body`;
}

/**
 * Routes whose body models would share a name (operationIds that differ only in "_", e.g. get_item and getitem):
 * model names are unique within a REST API, so the second CreateModel would fail halfway through `pulumi up`.
 */
export function modelNameClashes(routes: readonly RouteEntry[]): string[] {
    const byName = new Map<string, string[]>();
    for (const route of routes.filter((r) => r.request !== undefined)) {
        const name = modelName(route.operationId);
        byName.set(name, [...(byName.get(name) ?? []), route.operationId]);
    }
    return [...byName].filter(([, ids]) => ids.length > 1)
        .map(([name, ids]) => `${ids.join(", ")}: their body models would both be named ${name} (API Gateway model names are alphanumeric and unique per API); rename one`);
}

export class GptActionApi extends pulumi.ComponentResource {
    public readonly restApi: aws.apigateway.RestApi;
    public readonly stage: aws.apigateway.Stage;
    public readonly function: aws.lambda.Function;
    /** The stage URL, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com/Prod */
    public readonly url: pulumi.Output<string>;
    /** The OpenAPI 3.1 document (JSON) to paste into the GPT's Action, its server URL filled in. */
    public readonly openApiSchema: pulumi.Output<string>;
    /** The MCP server URL (<url>/mcp); undefined without `mcp`. Known before the stage exists, so Cognito can name it. */
    public readonly mcpUrl?: pulumi.Output<string>;

    /**
     * A REGIONAL REST API with one resource, method and Lambda proxy integration per route, each method behind a
     * COGNITO_USER_POOLS authorizer with OAuth scopes; a deployment and stage; and the handler Lambda.
     */
    constructor(name: string, args: GptActionApiArgs, opts?: pulumi.ComponentResourceOptions) {
        // Args stay off the component's own inputs, so a preview shows only the child that really changes.
        super("gpt-action:api:GptActionApi", name, {}, opts);
        const problem = routeTableError(args.routes);
        if (problem !== undefined) {
            throw new pulumi.ResourceError(problem, this);
        }
        const clashes = modelNameClashes(args.routes);
        if (clashes.length > 0) {
            throw new pulumi.ResourceError(`The route table has problems:\n  - ${clashes.join("\n  - ")}`, this);
        }
        const parent = { parent: this };
        const stageName = args.stageName ?? "Prod";
        const cors = args.corsAllowOrigin;
        const tracing = args.tracing ?? true;
        const accessLogs = args.accessLogs ?? true;

        const handler = createHandlerFunction(`${name}-handler`, {
            entry: args.handlerEntry ?? HANDLER_ENTRY,
            timeoutSeconds: args.lambdaTimeout ?? 25,
            memoryMb: args.lambdaMemory ?? 256,
            logRetentionDays: args.logRetentionDays ?? 30,
            environment: {
                APP_CLIENT_ID: args.appClientId,
                ...(args.mcp === undefined ? {} : { MCP_CLIENT_ID: args.mcp.clientId }),
                ...(cors === undefined ? {} : { CORS_ALLOW_ORIGIN: cors }),
            },
            tracing,
            reservedConcurrency: args.lambdaReservedConcurrency,
            network: args.vpc === undefined ? undefined : functionNetwork(`${name}`, args.vpc, this),
        }, this);
        this.function = handler.fn;

        this.restApi = new aws.apigateway.RestApi(`${name}-api`, {
            description: "GPT Action API (managed by Pulumi)",
            endpointConfiguration: { types: "REGIONAL" },
            // TLS 1.2 or later on the execute-api endpoint too, as on the custom domain. Unset, a Regional API's
            // default endpoint accepts TLS 1.0 (AWS: "Choose a security policy for your REST API custom domain").
            securityPolicy: "TLS_1_2",
        }, parent);
        const restApi = this.restApi.id;
        // The URL clients will call, built from the API's id rather than the stage, so that the MCP resource server
        // (and through it the function's environment) can name it without waiting for a deployment. AWS: "Invoke a
        // REST API in API Gateway" gives https://{restapi_id}.execute-api.{region}.amazonaws.com/{stage_name}.
        const baseUrl = args.customDomain === undefined
            ? pulumi.interpolate`https://${restApi}.execute-api.${this.restApi.region}.amazonaws.com/${stageName}`
            : pulumi.output(`https://${args.customDomain.host}`);

        // Accepts only tokens of this pool; with scopes on the method, only access tokens (what ChatGPT sends).
        const authorizer = new aws.apigateway.Authorizer(`${name}-authorizer`, {
            restApi,
            type: "COGNITO_USER_POOLS",
            providerArns: [args.userPoolArn],
            identitySource: "method.request.header.Authorization",
        }, parent);

        // One API Gateway resource per path segment, shared by routes under the same prefix.
        const resources = new Map<string, aws.apigateway.Resource>();
        const resourceFor = (path: string): pulumi.Output<string> => {
            const segments = path.split("/").filter((s) => s !== "");
            let parentId: pulumi.Output<string> = this.restApi.rootResourceId;
            let prefix = "";
            for (const segment of segments) {
                prefix += `/${segment}`;
                let resource = resources.get(prefix);
                if (resource === undefined) {
                    resource = new aws.apigateway.Resource(`${name}-resource${prefix}`, { restApi, parentId, pathPart: segment }, parent);
                    resources.set(prefix, resource);
                }
                parentId = resource.id;
            }
            return parentId;
        };

        // Everything the deployment snapshots; the deployment waits for all of it, or it fails with
        // "The REST API doesn't contain any methods" / "No integration defined for method".
        const deployed: pulumi.Resource[] = [];
        // API Gateway checks JSON bodies against the route's schema before the function runs (and bills).
        const validator = args.routes.some((r) => r.request !== undefined)
            ? new aws.apigateway.RequestValidator(`${name}-body-validator`, { restApi, ...VALIDATOR }, parent)
            : undefined;
        for (const route of args.routes) {
            const resourceId = resourceFor(route.path);
            const model = route.request === undefined ? undefined : new aws.apigateway.Model(`${name}-${route.operationId}-model`, {
                restApi,
                name: modelName(route.operationId),
                contentType: "application/json",
                schema: JSON.stringify(requestModelSchema(route.request)),
            }, parent);
            const method = new aws.apigateway.Method(`${name}-${route.operationId}-method`, {
                restApi,
                resourceId,
                httpMethod: route.method,
                authorization: "COGNITO_USER_POOLS",
                authorizerId: authorizer.id,
                authorizationScopes: args.scopes,
                operationName: route.operationId,
                ...(model === undefined || validator === undefined ? {} : {
                    requestValidatorId: validator.id,
                    requestModels: { "application/json": model.name },
                }),
            }, parent);
            if (model !== undefined) {
                deployed.push(model);
            }
            const integration = new aws.apigateway.Integration(`${name}-${route.operationId}-integration`, {
                restApi,
                resourceId,
                httpMethod: method.httpMethod,
                type: "AWS_PROXY",
                integrationHttpMethod: "POST",
                uri: handler.fn.invokeArn,
            }, parent);
            // Only this stage, method and path may invoke the function.
            new aws.lambda.Permission(`${name}-${route.operationId}-permission`, {
                action: "lambda:InvokeFunction",
                function: handler.fn.name,
                principal: "apigateway.amazonaws.com",
                sourceArn: pulumi.interpolate`${this.restApi.executionArn}/${stageName}/${route.method}${route.path}`,
            }, parent);
            deployed.push(method, integration);
        }

        if (cors !== undefined) {
            const methodsByPath = new Map<string, string[]>();
            for (const route of args.routes) {
                methodsByPath.set(route.path, [...(methodsByPath.get(route.path) ?? []), route.method]);
            }
            for (const [path, methods] of methodsByPath) {
                deployed.push(...this.corsPreflight(`${name}-options${path}`, restApi, resourceFor(path), cors, methods));
            }
        }

        let mcpDocuments: pulumi.Output<string[]> | undefined;
        let challenge: pulumi.Output<string> | undefined;
        if (args.mcp !== undefined) {
            const mcp = args.mcp;
            this.mcpUrl = baseUrl.apply(mcpServerUrl);
            const mcpResource = resourceFor("/mcp");
            // Every verb reaches the function behind the authorizer: POST carries JSON-RPC, the rest get a 405.
            const method = new aws.apigateway.Method(`${name}-mcp-method`, {
                restApi,
                resourceId: mcpResource,
                httpMethod: "ANY",
                authorization: "COGNITO_USER_POOLS",
                authorizerId: authorizer.id,
                authorizationScopes: [mcp.scope],
                operationName: "mcp",
            }, parent);
            const integration = new aws.apigateway.Integration(`${name}-mcp-integration`, {
                restApi,
                resourceId: mcpResource,
                httpMethod: method.httpMethod,
                type: "AWS_PROXY",
                integrationHttpMethod: "POST",
                uri: handler.fn.invokeArn,
            }, parent);
            new aws.lambda.Permission(`${name}-mcp-permission`, {
                action: "lambda:InvokeFunction",
                function: handler.fn.name,
                principal: "apigateway.amazonaws.com",
                sourceArn: pulumi.interpolate`${this.restApi.executionArn}/${stageName}/*/mcp`,
            }, parent);
            deployed.push(method, integration);
            if (cors !== undefined) {
                deployed.push(...this.corsPreflight(`${name}-options/mcp`, restApi, mcpResource, cors, ["POST"]));
            }

            // The discovery documents, public and answered by API Gateway itself (no function, no token).
            const endpoints = pulumi.output(mcp.cognito);
            const resourceDocument = pulumi.all([baseUrl, mcp.scope]).apply(([url, scope]) => JSON.stringify(protectedResourceMetadata(url, scope)));
            const serverDocument = pulumi.all([baseUrl, mcp.scope, endpoints]).apply(([url, scope, cognito]) =>
                JSON.stringify(authorizationServerMetadata(url, scope, cognito)));
            const documents: Array<[string, pulumi.Output<string>]> = [
                ...MCP_METADATA_PATHS.protectedResource.map((path): [string, pulumi.Output<string>] => [path, resourceDocument]),
                ...MCP_METADATA_PATHS.authorizationServer.map((path): [string, pulumi.Output<string>] => [path, serverDocument]),
            ];
            for (const [path, document] of documents) {
                deployed.push(...this.mockMethod(`${name}-metadata${path}`, restApi, resourceFor(path), "GET", METADATA_HEADERS, document));
            }
            mcpDocuments = pulumi.all([resourceDocument, serverDocument]);
            challenge = pulumi.all([baseUrl, mcp.scope]).apply(([url, scope]) => `'${bearerChallenge(url, scope)}'`);
        }

        for (const [responseType, response] of Object.entries(GATEWAY_RESPONSES)) {
            const headers: Record<string, pulumi.Input<string>> = {
                ...response.headers,
                // RFC 9728 §5.1: a 401 names the protected resource metadata, where an MCP client starts.
                ...(responseType === "UNAUTHORIZED" && challenge !== undefined ? { "WWW-Authenticate": challenge } : {}),
                ...(cors === undefined ? {} : { "Access-Control-Allow-Origin": `'${cors}'` }),
                // A browser-based MCP client reads the challenge only if CORS exposes it (Fetch: CORS-safelisted headers).
                ...(cors !== undefined && responseType === "UNAUTHORIZED" ? { "Access-Control-Expose-Headers": "'WWW-Authenticate'" } : {}),
            };
            deployed.push(new aws.apigateway.Response(`${name}-${responseType.toLowerCase().replace(/_/g, "-")}`, {
                restApiId: restApi,
                responseType,
                statusCode: response.statusCode,
                // $context.error.messageString is already a quoted JSON string, e.g. "Unauthorized".
                responseTemplates: { "application/json": response.template ?? DEFAULT_RESPONSE_TEMPLATE },
                responseParameters: Object.fromEntries(Object.entries(headers).map(([h, v]) => [`gatewayresponse.header.${h}`, v])),
            }, parent));
        }

        // A deployment is a snapshot: hash everything it captures so that any change redeploys.
        const definition = deploymentDefinition(args.routes, cors, args.mcp !== undefined);
        const deployment = new aws.apigateway.Deployment(`${name}-deployment`, {
            restApi,
            triggers: {
                redeployment: pulumi.all([definition, args.scopes, handler.fn.invokeArn, authorizer.id, args.userPoolArn, mcpDocuments ?? [], challenge ?? ""]).apply((parts) =>
                    createHash("sha256").update(JSON.stringify(parts)).digest("hex")),
            },
        }, { parent: this, dependsOn: deployed });

        const accessLogGroup = accessLogs
            ? new aws.cloudwatch.LogGroup(`${name}-access-logs`, { retentionInDays: args.logRetentionDays ?? 30 }, parent)
            : undefined;
        const account = accessLogGroup !== undefined && (args.apiGatewayCloudWatchRole ?? "create") === "create"
            ? createApiGatewayAccount(`${name}-apigateway`, accessLogGroup.arn, this)
            : undefined;
        this.stage = new aws.apigateway.Stage(`${name}-stage`, {
            restApi,
            deployment: deployment.id,
            stageName,
            xrayTracingEnabled: tracing,
            accessLogSettings: accessLogGroup === undefined ? undefined : { destinationArn: accessLogGroup.arn, format: ACCESS_LOG_FORMAT },
        }, { parent: this, dependsOn: account === undefined ? [] : [account] });

        // Stage-wide throttling, so that one caller cannot run up the bill; ChatGPT backs off on 429. Execution
        // logging stays off: at INFO it would log request bodies.
        new aws.apigateway.MethodSettings(`${name}-method-settings`, {
            restApi,
            stageName: this.stage.stageName,
            methodPath: "*/*",
            settings: {
                throttlingRateLimit: args.throttle?.rateLimit ?? 10,
                throttlingBurstLimit: args.throttle?.burstLimit ?? 20,
                metricsEnabled: true,
                loggingLevel: "OFF",
                dataTraceEnabled: false,
            },
        }, parent);

        if (args.waf === true) {
            createWaf(`${name}-waf`, this.stage.arn, this);
        }

        if (args.customDomain === undefined) {
            this.url = this.stage.invokeUrl;
        } else {
            const { host, zone } = args.customDomain;
            const zoneId = hostedZoneId(zone, args.customDomain.hostedZoneId, this);
            const domain = new aws.apigateway.DomainName(`${name}-domain`, {
                domainName: host,
                regionalCertificateArn: validatedCertificate(`${name}-api`, host, zoneId, this),
                endpointConfiguration: { types: "REGIONAL" },
                securityPolicy: "TLS_1_2",
            }, parent);
            // The stage at the host's root, so the URL carries no stage name.
            const mapping = new aws.apigateway.BasePathMapping(`${name}-base-path`, {
                restApi,
                stageName: this.stage.stageName,
                domainName: domain.domainName,
            }, parent);
            aliasRecord(`${name}-api`, host, zoneId, { name: domain.regionalDomainName, zoneId: domain.regionalZoneId }, this);
            this.url = mapping.domainName.apply((h) => `https://${h}`);
        }
        const info = args.info ?? DEFAULT_INFO;
        this.openApiSchema = this.url.apply((url) => openApiSchemaText(args.routes, url, info));

        this.registerOutputs({ url: this.url, openApiSchema: this.openApiSchema, mcpUrl: this.mcpUrl });
    }

    /**
     * An unauthenticated OPTIONS method answering CORS preflights from API Gateway itself, without the function.
     */
    private corsPreflight(name: string, restApi: pulumi.Output<string>, resourceId: pulumi.Output<string>, origin: string, methods: string[]): pulumi.Resource[] {
        return this.mockMethod(name, restApi, resourceId, "OPTIONS", {
            "Access-Control-Allow-Headers": `'${CORS_ALLOW_HEADERS}'`,
            "Access-Control-Allow-Methods": `'${[...methods, "OPTIONS"].join(",")}'`,
            "Access-Control-Allow-Origin": `'${origin}'`,
        });
    }

    /**
     * An unauthenticated method that API Gateway answers itself (a MOCK integration): status 200, these headers
     * (static values in single quotes) and, when given, this JSON body. A MOCK integration needs the
     * {"statusCode": 200} request template and matching method and integration responses, or it answers 500
     * (API Gateway developer guide, "Set up mock integrations in API Gateway").
     */
    private mockMethod(name: string, restApi: pulumi.Output<string>, resourceId: pulumi.Output<string>, httpMethod: string,
        headers: Record<string, pulumi.Input<string>>, body?: pulumi.Input<string>): pulumi.Resource[] {
        const parent = { parent: this };
        const header = (h: string) => `method.response.header.${h}`;
        const method = new aws.apigateway.Method(`${name}-method`, {
            restApi, resourceId, httpMethod, authorization: "NONE",
        }, parent);
        const integration = new aws.apigateway.Integration(`${name}-integration`, {
            restApi, resourceId, httpMethod: method.httpMethod, type: "MOCK", ...MOCK_REQUEST,
        }, parent);
        const methodResponse = new aws.apigateway.MethodResponse(`${name}-method-response`, {
            restApi, resourceId, httpMethod: method.httpMethod, statusCode: "200",
            responseModels: { "application/json": "Empty" },
            responseParameters: Object.fromEntries(Object.keys(headers).map((h) => [header(h), true])),
        }, parent);
        const integrationResponse = new aws.apigateway.IntegrationResponse(`${name}-integration-response`, {
            restApi, resourceId, httpMethod: method.httpMethod, statusCode: methodResponse.statusCode,
            responseParameters: Object.fromEntries(Object.entries(headers).map(([h, v]) => [header(h), v])),
            ...(body === undefined ? {} : { responseTemplates: { "application/json": body } }),
        }, { parent: this, dependsOn: [integration] });
        return [method, integration, methodResponse, integrationResponse];
    }
}
