/**
 * The REST API as one OpenAPI 3.0 document, generated from the route table: API Gateway imports it whole
 * (PutRestApi, mode "overwrite"), so every route edit replaces the definition in one step and nothing removed
 * lingers. Pure, without Pulumi: the infrastructure fills in the ARNs, tests and local mode read the same values.
 *
 * Each extension's shape follows AWS's "OpenAPI extensions for API Gateway" reference; the section is named where
 * it is used. API Gateway imports OpenAPI 3.0, not 3.1 ("Develop REST APIs using OpenAPI in API Gateway").
 */
import * as z from "zod/mini";
import { CORS_PATHS as FACADE_CORS_PATHS, PREFLIGHT_HEADERS as FACADE_PREFLIGHT_HEADERS } from "../handler/facade/cors";
import { FACADE_METHODS, FACADE_PATHS } from "../handler/facade/paths";
import type { RouteEntry } from "../handler/routes";
import { operationPaths } from "./openapi";

/**
 * The request headers a browser may send (CORS preflights). The MCP ones let browser-based MCP clients through:
 * Mcp-Method and Mcp-Name go on every 2026-07-28 request (Streamable HTTP › Standard Request Headers), and a 2025
 * client may echo a session id it never got.
 */
export const CORS_ALLOW_HEADERS = "Content-Type,Authorization,X-Amz-Date,X-Api-Key,X-Amz-Security-Token,Mcp-Protocol-Version,Mcp-Method,Mcp-Name,Mcp-Session-Id";

/** The security scheme's name in the document; operations name it with the scopes they require. */
export const AUTHORIZER_NAME = "CognitoUserPool";

/** The request validator's name: bodies only (the routes take no parameters). */
const BODY_VALIDATOR = "body";

/** Gateway-generated errors that keep a JSON body (and CORS headers, so a browser can read them). */
export const GATEWAY_RESPONSES: Readonly<Record<string, { readonly statusCode?: number; readonly headers?: Readonly<Record<string, string>> }>> = {
    // RFC 6750 §3: a 401 for a bearer-token API says which scheme it wants.
    UNAUTHORIZED: { statusCode: 401, headers: { "WWW-Authenticate": "Bearer" } },
    ACCESS_DENIED: { statusCode: 403 },
    BAD_REQUEST_BODY: { statusCode: 400 },
    DEFAULT_4XX: {},
    DEFAULT_5XX: {},
};

/**
 * Every gateway response's body. Gateway response templates get plain variable substitution, not VTL, so nothing
 * can be escaped: `$context.error.messageString` is already a quoted JSON string ("Invalid request body"), while
 * `$context.error.validationErrorString` holds unescaped quotes and would break the JSON, so it is left out (the
 * function answers the same request with field-level messages when the gateway lets it through).
 */
const GATEWAY_RESPONSE_TEMPLATE = '{"message":$context.error.messageString}';

/** Headers of the public MCP discovery documents. */
const METADATA_HEADERS: Readonly<Record<string, string>> = {
    // Public documents, readable from every origin (browser-based MCP clients read them).
    "Access-Control-Allow-Origin": "*",
    "Cache-Control": "public, max-age=3600",
};

export interface McpDocumentInput {
    /** The scope /mcp requires. */
    readonly scope: string;
    /** The public discovery documents (JSON text) by path. */
    readonly documents: Readonly<Record<string, string>>;
    /** The whole WWW-Authenticate value of a 401 (RFC 9728 §5.1). */
    readonly challenge: string;
    /** The OAuth facade's function (handler/facade), behind its public endpoints under /oauth. */
    readonly facadeInvokeArn: string;
}

/**
 * The API-level settings a PutRestApi overwrite resets unless the document carries them (AWS, "Update a REST API
 * using OpenAPI": with mode=overwrite, configuration not in the import body, "such as security policies", goes back
 * to its default). One value feeds both the RestApi's inputs (infra/api.ts) and the document, so they cannot differ.
 */
export interface ApiLevelSettings {
    /**
     * `x-amazon-apigateway-security-policy`. AWS documents the extension with an enhanced policy only, and "if you
     * create a security policy that starts with SecurityPolicy_, you must also set the endpoint access mode"
     * (openapi-extensions-security-policy). SecurityPolicy_TLS13_1_2_2021_06 takes TLS 1.3 and 1.2 and refuses
     * 1.0, like the legacy TLS_1_2 (apigateway-security-policies-list), without relying on the extension taking a
     * legacy name, which no AWS page shows.
     */
    readonly securityPolicy: string;
    /**
     * `x-amazon-apigateway-endpoint-access-mode`, required beside an enhanced policy. BASIC: AWS's first step when
     * moving to an enhanced policy ("Security policies for REST APIs in API Gateway", Endpoint access mode).
     */
    readonly endpointAccessMode: "BASIC" | "STRICT";
    /**
     * `x-amazon-apigateway-endpoint-configuration.disableExecuteApiEndpoint`: true when every client is given the
     * custom domain's URL, so the execute-api host answers nothing (api-gateway-swagger-extensions-endpoint-configuration).
     */
    readonly disableExecuteApiEndpoint: boolean;
}

/** The API-level settings of a stack, with or without a custom domain. */
export function apiLevelSettings(customDomain: boolean): ApiLevelSettings {
    return { securityPolicy: "SecurityPolicy_TLS13_1_2_2021_06", endpointAccessMode: "BASIC", disableExecuteApiEndpoint: customDomain };
}

export interface RestApiDocumentInput {
    /** The settings an overwrite import would otherwise reset; the RestApi takes the same values. */
    readonly settings: ApiLevelSettings;
    /** PutRestApi sets the API's name from info.title and its description from info.description: the RestApi's own. */
    readonly title: string;
    readonly description: string;
    readonly routes: readonly RouteEntry[];
    /** The Cognito user pool whose access tokens the authorizer accepts. */
    readonly userPoolArn: string;
    /** A route accepts an access token holding any one of these. */
    readonly scopes: readonly string[];
    /** The function's invoke ARN (Lambda's "invokeArn"), the target of every aws_proxy integration. */
    readonly invokeArn: string;
    /** The CORS origin; undefined makes no OPTIONS methods and no CORS headers. */
    readonly corsAllowOrigin?: string;
    /** The MCP surface: /mcp behind its own scope, the discovery documents, the 401's challenge and the OAuth facade. */
    readonly mcp?: McpDocumentInput;
}

/** An API Gateway model's name: alphanumeric (CreateModel: "Must be alphanumeric"). */
export function modelName(operationId: string): string {
    return `${operationId.replace(/[^A-Za-z0-9]/g, "")}Body`;
}

/**
 * A request body schema in OpenAPI 3.0's dialect, which API Gateway turns into a draft-4 model on import. The one
 * keyword zod emits that 3.0 lacks, `examples`, becomes the first `example` on the ChatGPT side only: API Gateway
 * does not support `example` either, so here it is dropped.
 */
export function requestModelSchema(schema: z.ZodMiniType): Record<string, unknown> {
    return withoutKeyword(z.toJSONSchema(schema, { target: "openapi-3.0", io: "input" }), "examples") as Record<string, unknown>;
}

/** `schema` without `keyword` in it or any subschema (and never a property that happens to share its name). */
function withoutKeyword(schema: unknown, keyword: string): unknown {
    if (Array.isArray(schema)) {
        return (schema as unknown[]).map((s) => withoutKeyword(s, keyword));
    }
    if (typeof schema !== "object" || schema === null) {
        return schema;
    }
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(schema as Record<string, unknown>)) {
        if (key === keyword) {
            continue;
        }
        out[key] = key === "properties" && typeof value === "object" && value !== null
            ? Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([name, sub]) => [name, withoutKeyword(sub, keyword)]))
            : key === "enum" || key === "required" || key === "default" ? value : withoutKeyword(value, keyword);
    }
    return out;
}

/**
 * Keywords API Gateway does not support in an imported model ("Amazon API Gateway important notes for REST APIs",
 * the OpenAPI import notes): what each one becomes is either an import failure or a silently unchecked rule.
 */
const UNSUPPORTED_KEYWORDS: Readonly<Record<string, string>> = {
    additionalProperties: "additionalProperties is not supported in models (z.record, z.strictObject, z.looseObject)",
    anyOf: "anyOf is not supported in models (z.union, z.nullable with other types)",
    oneOf: "oneOf is not supported",
    discriminator: "discriminator is not supported",
    example: "example is not supported",
    exclusiveMinimum: "exclusiveMinimum is not supported (use z.gte instead of z.gt)",
    exclusiveMaximum: "exclusiveMaximum is not supported (use z.lte instead of z.lt)",
    readOnly: "readOnly is not supported",
};

/** Why API Gateway would refuse or not enforce `schema` as a model, as sentences; empty when it takes it whole. */
export function modelProblems(schema: unknown, at = "the body"): string[] {
    if (Array.isArray(schema)) {
        return (schema as unknown[]).flatMap((s, i) => modelProblems(s, `${at}[${i}]`));
    }
    if (typeof schema !== "object" || schema === null) {
        return [];
    }
    const problems: string[] = [];
    for (const [key, value] of Object.entries(schema as Record<string, unknown>)) {
        // OpenAPI 3.0's exclusiveMinimum and exclusiveMaximum are flags; only a true one asks for what API Gateway lacks.
        if (key in UNSUPPORTED_KEYWORDS && !(key.startsWith("exclusive") && value === false)) {
            problems.push(`${at}: ${UNSUPPORTED_KEYWORDS[key]}`);
        } else if (key === "properties" && typeof value === "object" && value !== null) {
            problems.push(...Object.entries(value as Record<string, unknown>).flatMap(([name, sub]) => modelProblems(sub, `${at}.${name}`)));
        } else if (key === "items" || key === "allOf" || key === "not") {
            problems.push(...modelProblems(value, `${at}.${key}`));
        }
    }
    return problems;
}

/** Problems of the route table that only the REST API's import would find: model names and model keywords. */
export function restApiProblems(routes: readonly RouteEntry[]): string[] {
    const byName = new Map<string, string[]>();
    const problems: string[] = [];
    for (const route of routes) {
        if (route.request === undefined) {
            continue;
        }
        const name = modelName(route.operationId);
        byName.set(name, [...(byName.get(name) ?? []), route.operationId]);
        problems.push(...modelProblems(requestModelSchema(route.request)).map((p) => `${route.operationId}: ${p}; API Gateway's body model cannot express it`));
    }
    for (const [name, ids] of byName) {
        if (ids.length > 1) {
            problems.push(`${ids.join(", ")}: their body models would both be named ${name} (API Gateway model names are alphanumeric and unique per API); rename one`);
        }
    }
    return problems;
}

/** A static header value as API Gateway's parameter mappings take it: in single quotes. */
const quoted = (value: string) => `'${value}'`;

/** "x-amazon-apigateway-integration" of type aws_proxy: the function, called with POST whatever the method. */
function proxyIntegration(invokeArn: string): object {
    return { type: "aws_proxy", httpMethod: "POST", uri: invokeArn, passthroughBehavior: "when_no_match" };
}

/**
 * A method API Gateway answers itself: "x-amazon-apigateway-integration" of type mock, its {"statusCode": 200}
 * request template, passthrough "when_no_templates" (AWS's recommended value: a body of another type gets 415
 * instead of failing the mock) and a 200 with these static headers and, when given, this JSON body. The method's
 * 200 declares the headers, or the integration response could not map them ("Set up mock integrations").
 */
function mockOperation(description: string, headers: Readonly<Record<string, string>>, body?: string): object {
    return {
        responses: {
            "200": { description, headers: Object.fromEntries(Object.keys(headers).map((h) => [h, { schema: { type: "string" } }])) },
        },
        "x-amazon-apigateway-integration": {
            type: "mock",
            requestTemplates: { "application/json": '{"statusCode": 200}' },
            passthroughBehavior: "when_no_templates",
            responses: {
                default: {
                    statusCode: "200",
                    responseParameters: Object.fromEntries(Object.entries(headers).map(([h, v]) => [`method.response.header.${h}`, quoted(v)])),
                    ...(body === undefined ? {} : { responseTemplates: { "application/json": body } }),
                },
            },
        },
    };
}

/** The CORS preflight of a path whose other methods are `methods`. */
function preflight(origin: string, methods: readonly string[]): object {
    return mockOperation("CORS preflight", {
        "Access-Control-Allow-Headers": CORS_ALLOW_HEADERS,
        "Access-Control-Allow-Methods": [...methods, "OPTIONS"].join(","),
        "Access-Control-Allow-Origin": origin,
    });
}

/** The document PutRestApi imports for `input`. */
export function restApiDocument(input: RestApiDocumentInput): object {
    const { routes, corsAllowOrigin: cors, mcp } = input;
    const integration = proxyIntegration(input.invokeArn);
    // "Use scopes with a Cognito user pool authorizer": the security requirement's list is the method's
    // authorizationScopes; with scopes, API Gateway accepts only access tokens.
    const secured = (scopes: readonly string[]) => ({ security: [{ [AUTHORIZER_NAME]: [...scopes] }] });
    const paths: Record<string, Record<string, object>> = operationPaths(routes, (route) => ({
        ...secured(input.scopes),
        ...(route.request === undefined ? {} : {
            requestBody: {
                // API Gateway validates a body only against the model of its content type; "$default" takes every
                // other type, so a body sent as text/plain is checked too ("Request validation for REST APIs").
                content: Object.fromEntries(["application/json", "$default"].map((type) =>
                    [type, { schema: { $ref: `#/components/schemas/${modelName(route.operationId)}` } }])),
                required: !z.safeParse(route.request, undefined).success,
            },
            // "x-amazon-apigateway-request-validator": the validator, by name, from the document's validators.
            "x-amazon-apigateway-request-validator": BODY_VALIDATOR,
        }),
        responses: { "200": { description: route.response.description } },
        "x-amazon-apigateway-integration": integration,
    }));
    if (mcp !== undefined) {
        // "x-amazon-apigateway-any-method": every verb reaches the function behind the MCP scope; POST carries
        // JSON-RPC and the function answers the rest with 405 (MCP 2025-11-25, Streamable HTTP).
        paths["/mcp"] = {
            "x-amazon-apigateway-any-method": {
                operationId: "mcp",
                ...secured([mcp.scope]),
                responses: { "200": { description: "A JSON-RPC response (MCP Streamable HTTP)" } },
                "x-amazon-apigateway-integration": integration,
            },
        };
        // OAuth endpoints are public by nature (RFC 6749 §3): no authorizer; the facade checks every request.
        for (const [endpoint, path] of Object.entries(FACADE_PATHS)) {
            paths[path] = {
                [FACADE_METHODS[path].toLowerCase()]: {
                    operationId: `oauth${endpoint[0].toUpperCase()}${endpoint.slice(1)}`,
                    responses: { "200": { description: "The OAuth facade's answer" } },
                    "x-amazon-apigateway-integration": proxyIntegration(mcp.facadeInvokeArn),
                },
            };
        }
        // The token and revocation endpoints' preflight, answered by API Gateway as Cognito's own endpoints would be
        // (handler/facade/cors.ts): open to every origin whatever corsAllowOrigin says, since a token request carries
        // no ambient credential.
        for (const path of FACADE_CORS_PATHS) {
            paths[path].options = mockOperation("CORS preflight of an OAuth endpoint", FACADE_PREFLIGHT_HEADERS);
        }
        for (const [path, document] of Object.entries(mcp.documents)) {
            paths[path] = { get: mockOperation("OAuth discovery metadata (public)", METADATA_HEADERS, document) };
        }
    }
    if (cors !== undefined) {
        for (const path of new Set([...routes.map((r) => r.path), ...(mcp === undefined ? [] : ["/mcp"])])) {
            const methods = path === "/mcp" ? ["POST"] : routes.filter((r) => r.path === path).map((r) => r.method);
            paths[path].options = preflight(cors, methods);
        }
    }
    const schemas = Object.fromEntries(routes.filter((r) => r.request !== undefined)
        .map((r) => [modelName(r.operationId), requestModelSchema(r.request as z.ZodMiniType)]));
    return {
        openapi: "3.0.1",
        info: { title: input.title, description: input.description, version: "1.0.0" },
        // For OpenAPI 3.0, "x-amazon-apigateway-endpoint-configuration" sits in a Server object's extensions
        // (api-gateway-swagger-extensions-endpoint-configuration); the import ignores the URL's path (basepath=ignore,
        // PutRestApi's default). The extension has no documented `types`: the endpoint type stays the RestApi's,
        // which an overwrite keeps ("Update a REST API using OpenAPI").
        servers: [{ url: "/", "x-amazon-apigateway-endpoint-configuration": { disableExecuteApiEndpoint: input.settings.disableExecuteApiEndpoint } }],
        // "x-amazon-apigateway-security-policy" and "x-amazon-apigateway-endpoint-access-mode": the execute-api
        // endpoint's TLS policy, which an overwrite import would otherwise put back to the Regional default, TLS 1.0.
        "x-amazon-apigateway-security-policy": input.settings.securityPolicy,
        "x-amazon-apigateway-endpoint-access-mode": input.settings.endpointAccessMode,
        paths,
        components: {
            schemas,
            securitySchemes: {
                // "x-amazon-apigateway-authorizer" of type cognito_user_pools; the token comes from the header named
                // here, and securitySchemes must be of type apiKey ("important notes for REST APIs").
                [AUTHORIZER_NAME]: {
                    type: "apiKey",
                    name: "Authorization",
                    in: "header",
                    "x-amazon-apigateway-authtype": "cognito_user_pools",
                    "x-amazon-apigateway-authorizer": { type: "cognito_user_pools", providerARNs: [input.userPoolArn] },
                },
            },
        },
        // "x-amazon-apigateway-request-validators": bodies against their models, no parameter checks.
        "x-amazon-apigateway-request-validators": { [BODY_VALIDATOR]: { validateRequestBody: true, validateRequestParameters: false } },
        // "x-amazon-apigateway-gateway-responses": API Gateway's own errors, JSON with CORS headers.
        "x-amazon-apigateway-gateway-responses": Object.fromEntries(Object.entries(GATEWAY_RESPONSES).map(([type, response]) => {
            const headers: Record<string, string> = {
                ...response.headers,
                // RFC 9728 §5.1: a 401 names the protected resource metadata, where an MCP client starts.
                ...(type === "UNAUTHORIZED" && mcp !== undefined ? { "WWW-Authenticate": mcp.challenge } : {}),
                ...(cors === undefined ? {} : { "Access-Control-Allow-Origin": cors }),
                // A browser-based MCP client reads the challenge only if CORS exposes it (Fetch: CORS-safelisted headers).
                ...(cors !== undefined && type === "UNAUTHORIZED" ? { "Access-Control-Expose-Headers": "WWW-Authenticate" } : {}),
            };
            return [type, {
                ...(response.statusCode === undefined ? {} : { statusCode: response.statusCode }),
                responseParameters: Object.fromEntries(Object.entries(headers).map(([h, v]) => [`gatewayresponse.header.${h}`, quoted(v)])),
                responseTemplates: { "application/json": GATEWAY_RESPONSE_TEMPLATE },
            }];
        })),
    };
}
