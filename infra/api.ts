/** GptActionApi: the REST API ChatGPT calls, every method behind a Cognito authorizer, and its Lambda. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import type { RouteEntry } from "../handler/routes";
import { HANDLER_ENTRY } from "./bundle";
import { createAuditQueries } from "./auditQueries";
import { grantStatements } from "./grants";
import { createHandlerFunction } from "./lambda";
import { createApiGatewayAccount } from "./apiGatewayAccount";
import { aliasRecords, hostedZoneId, validatedCertificate } from "./certificates";
import { DEFAULT_INFO, openApiSchemaText, type OpenApiInfo } from "./openapi";
import type { CustomHost } from "./config";
import { bearerChallenge, discoveryDocuments, mcpServerUrl, type CognitoEndpoints } from "./mcpMetadata";
import { functionNetwork } from "./network";
import type { NetworkConfig } from "./networkConfig";
import { createWaf } from "./waf";
import { FACADE_PREFIX } from "../handler/facade/paths";
import { createOAuthFacade } from "./oauthFacade";
import { apiLevelSettings, restApiDocument, type McpDocumentInput } from "./restApiDocument";
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
    /** An AWS WAF web ACL with AWS managed rule groups in front of the stage and the user pool. Default: false. */
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
    /** Cognito's endpoints, which the OAuth facade forwards to (and the metadata names for the keys). */
    readonly cognito: { readonly [K in keyof CognitoEndpoints]: pulumi.Input<string> };
    /** The public app client CIMD clients sign in through; /mcp takes its tokens too. */
    readonly cimdClientId: pulumi.Input<string>;
    /** The redirect URIs the facade accepts for the MCP app client. */
    readonly redirectUris: pulumi.Input<pulumi.Input<string>[]>;
    /** Client ID Metadata Document URLs the facade accepts as client_id. */
    readonly clientMetadataUrls: readonly string[];
}

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

/** The API's description; PutRestApi sets it from the document's info.description, so both say the same. */
const API_DESCRIPTION = "GPT Action API (managed by Pulumi)";

export class GptActionApi extends pulumi.ComponentResource {
    public readonly restApi: aws.apigateway.RestApi;
    public readonly stage: aws.apigateway.Stage;
    public readonly function: aws.lambda.Function;
    /** The handler's log group, where its audit lines go. */
    public readonly logGroup: aws.cloudwatch.LogGroup;
    /** The stage URL, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com/Prod */
    public readonly url: pulumi.Output<string>;
    /** The OpenAPI 3.1 document (JSON) to paste into the GPT's Action, its server URL filled in. */
    public readonly openApiSchema: pulumi.Output<string>;
    /** The URL clients call, built from the API's id: known before the stage exists, so Cognito can name it. */
    public readonly baseUrl: pulumi.Output<string>;
    /** The MCP server URL (<url>/mcp); undefined without `mcp`. */
    public readonly mcpUrl?: pulumi.Output<string>;
    /** With a custom domain, the disabled execute-api stage URL (for npm run smoke to check it is refused). */
    public readonly executeApiUrl?: pulumi.Output<string>;

    /**
     * A REGIONAL REST API defined by one OpenAPI document generated from the route table (each route a Lambda proxy
     * method behind a Cognito user-pool authorizer with OAuth scopes); a deployment and stage; and the handler Lambda.
     */
    constructor(name: string, args: GptActionApiArgs, opts?: pulumi.ComponentResourceOptions) {
        // Args stay off the component's own inputs, so a preview shows only the child that really changes.
        super("gpt-action:api:GptActionApi", name, {}, opts);
        const problem = routeTableError(args.routes);
        if (problem !== undefined) {
            throw new pulumi.ResourceError(problem, this);
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
                ...(args.mcp === undefined ? {} : { MCP_CLIENT_ID: args.mcp.clientId, MCP_SHADOW_CLIENT_ID: args.mcp.cimdClientId }),
                ...(cors === undefined ? {} : { CORS_ALLOW_ORIGIN: cors }),
            },
            // What the routes' operations need, one statement per grant, named after its route (RouteSpec.grants).
            statements: grantStatements(args.routes),
            tracing,
            reservedConcurrency: args.lambdaReservedConcurrency,
            network: args.vpc === undefined ? undefined : functionNetwork(`${name}`, args.vpc, this),
        }, this);
        this.function = handler.fn;
        this.logGroup = handler.logGroup;
        // Saved Logs Insights queries over the audit lines (who called what, refusals, errors, slow routes).
        createAuditQueries(`${name}`, `${name}-${pulumi.getStack()}`, handler.logGroup.name, this);

        // TLS 1.2 or later on the execute-api endpoint too, as on the custom domain: unset, a Regional API's default
        // endpoint accepts TLS 1.0 ("Supported security policies"). With a custom domain every client is given its
        // URL, so the execute-api endpoint is disabled. The document carries the same values, or each overwrite
        // import would reset them (restApiDocument.ts, ApiLevelSettings).
        const settings = apiLevelSettings(args.customDomain !== undefined);
        this.restApi = new aws.apigateway.RestApi(`${name}-api`, {
            description: API_DESCRIPTION,
            endpointConfiguration: { types: "REGIONAL" },
            securityPolicy: settings.securityPolicy,
            endpointAccessMode: settings.endpointAccessMode,
            disableExecuteApiEndpoint: settings.disableExecuteApiEndpoint,
        }, parent);
        const restApi = this.restApi.id;
        // The URL clients will call, built from the API's id rather than the stage, so that the MCP resource server
        // (and through it the function's environment) can name it without waiting for a deployment. AWS: "Invoke a
        // REST API in API Gateway" gives https://{restapi_id}.execute-api.{region}.amazonaws.com/{stage_name}.
        const baseUrl = this.baseUrl = args.customDomain === undefined
            ? pulumi.interpolate`https://${restApi}.execute-api.${this.restApi.region}.amazonaws.com/${stageName}`
            : pulumi.output(`https://${args.customDomain.host}`);

        let mcp: pulumi.Output<McpDocumentInput> | undefined;
        let facade: aws.lambda.Function | undefined;
        if (args.mcp !== undefined) {
            this.mcpUrl = baseUrl.apply(mcpServerUrl);
            // Every MCP client signs in through the facade, which the metadata names (and which answers with `iss`).
            facade = createOAuthFacade(`${name}-oauth`, {
                apiUrl: baseUrl,
                cognito: args.mcp.cognito,
                cimdClientId: args.mcp.cimdClientId,
                staticClient: { id: args.mcp.clientId, redirectUris: args.mcp.redirectUris },
                clientMetadataUrls: args.mcp.clientMetadataUrls,
                logRetentionDays: args.logRetentionDays ?? 30,
                tracing,
            }, this);
            mcp = pulumi.all([baseUrl, args.mcp.scope, args.mcp.cognito.jwksUri, facade.invokeArn]).apply(([url, scope, jwksUri, facadeInvokeArn]) =>
                ({ scope, challenge: bearerChallenge(url, scope), documents: discoveryDocuments(url, scope, jwksUri), facadeInvokeArn }));
        }

        // The whole API as one OpenAPI document, imported with PutRestApi in "overwrite" mode: an edited route table
        // replaces the definition before the deployment snapshots it, so nothing removed or renamed lingers and no
        // per-route resource can clash with its old twin. A RestApiPut rather than the RestApi's own `body`,
        // because the document names the API's own URL (the MCP resource and scope), which the RestApi cannot take
        // as an input. Its body forces a replacement, which is one more PutRestApi; its delete does nothing
        // (terraform-provider-aws, apigateway/rest_api_put.go).
        const document = pulumi.all([this.restApi.name, args.userPoolArn, args.scopes, handler.fn.invokeArn, mcp]).apply(
            ([title, userPoolArn, scopes, invokeArn, mcpInput]) => JSON.stringify(restApiDocument({
                settings, title, description: API_DESCRIPTION, routes: args.routes, userPoolArn, scopes, invokeArn, corsAllowOrigin: cors, mcp: mcpInput,
            })));
        const definition = new aws.apigateway.RestApiPut(`${name}-definition`, {
            restApiId: restApi,
            body: document,
            // An import warning means the API would differ from the document (a dropped model, an ignored keyword):
            // roll back and fail instead ("Errors and warnings during import").
            failOnWarnings: true,
        }, parent);

        // One permission for the whole API, however many routes: only this API's stage may invoke the function.
        // Per route, the function policy's 20 KB limit would stop a table at about 50 routes.
        new aws.lambda.Permission(`${name}-permission`, {
            action: "lambda:InvokeFunction",
            function: handler.fn.name,
            principal: "apigateway.amazonaws.com",
            sourceArn: pulumi.interpolate`${this.restApi.executionArn}/${stageName}/*/*`,
        }, parent);
        if (facade !== undefined) {
            new aws.lambda.Permission(`${name}-oauth-permission`, {
                action: "lambda:InvokeFunction",
                function: facade.name,
                principal: "apigateway.amazonaws.com",
                sourceArn: pulumi.interpolate`${this.restApi.executionArn}/${stageName}/*${FACADE_PREFIX}/*`,
            }, parent);
        }

        // A deployment is a snapshot of the API: the document's hash as its trigger redeploys on any change
        // (deployment.d.ts: "triggers ... when changed, will trigger a redeployment").
        const deployment = new aws.apigateway.Deployment(`${name}-deployment`, {
            restApi,
            triggers: { redeployment: document.apply((text) => createHash("sha256").update(text).digest("hex")) },
        }, { parent: this, dependsOn: [definition] });

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
            createWaf(`${name}-waf`, { stageArn: this.stage.arn, userPoolArn: args.userPoolArn }, stageName, this);
        }

        if (args.customDomain === undefined) {
            this.url = this.stage.invokeUrl;
        } else {
            const { host, zone } = args.customDomain;
            const zoneId = hostedZoneId(zone, args.customDomain.hostedZoneId, this);
            const domain = new aws.apigateway.DomainName(`${name}-domain`, {
                domainName: host,
                regionalCertificateArn: validatedCertificate(`${name}-api`, host, zoneId, this),
                // IPv6 too, for the AAAA alias below; the default for a public custom domain is IPv4 only ("IP
                // address types for custom domain names in API Gateway"). The API behind it need not match.
                endpointConfiguration: { types: "REGIONAL", ipAddressType: "dualstack" },
                securityPolicy: "TLS_1_2",
            }, parent);
            // The stage at the host's root, so the URL carries no stage name.
            const mapping = new aws.apigateway.BasePathMapping(`${name}-base-path`, {
                restApi,
                stageName: this.stage.stageName,
                domainName: domain.domainName,
            }, parent);
            aliasRecords(`${name}-api`, host, zoneId, { name: domain.regionalDomainName, zoneId: domain.regionalZoneId }, this);
            this.url = mapping.domainName.apply((h) => `https://${h}`);
            this.executeApiUrl = this.stage.invokeUrl;
        }
        const info = args.info ?? DEFAULT_INFO;
        this.openApiSchema = this.url.apply((url) => openApiSchemaText(args.routes, url, info));

        this.registerOutputs({ url: this.url, baseUrl: this.baseUrl, openApiSchema: this.openApiSchema, mcpUrl: this.mcpUrl });
    }
}
