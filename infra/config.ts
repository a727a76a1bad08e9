/**
 * The stack's settings: validated and turned into one typed object. Every problem is reported together, with
 * the command that fixes it, before any resource is declared. Pure: local mode uses it without loading Pulumi;
 * infra/loadConfig.ts feeds it from the Pulumi runtime.
 */
import { parseIdentityProviders, type IdentityProviderConfig } from "./identityProviders";
import { isObject, parseJson } from "./json";
import { parseNetwork, type NetworkConfig } from "./networkConfig";
import { MAX_CALLBACK_URLS, PLACEHOLDER_CALLBACK_URL, callbackUrlProblem, withChatGptTwins } from "./callbacks";

export interface ActionConfig {
    /** Callback URLs to register on the app client: the configured ones with their ChatGPT twins, or the placeholder. */
    readonly callbackUrls: string[];
    /** True while no callback URL is configured and the placeholder stands in. */
    readonly awaitingCallbackUrl: boolean;
    /** The hosted-UI domain prefix; undefined derives one from `domainPrefixBase` and a stable random suffix. */
    readonly domainPrefix?: string;
    /** `<project>-<stack>` made safe for a domain prefix, with room left for a 7-character suffix. */
    readonly domainPrefixBase: string;
    /** OAuth scopes the app client allows and every API method requires (any one of them). */
    readonly scopes: string[];
    /** What ChatGPT should request: "openid" when allowed (one scope passes the authorizer), else all scopes. */
    readonly chatGptScope: string;
    readonly stageName: string;
    /** The CORS origin; undefined turns CORS (and the OPTIONS methods) off. */
    readonly corsAllowOrigin?: string;
    readonly lambdaTimeout: number;
    readonly lambdaMemory: number;
    /** Concurrency reserved for (and capping) the function; undefined reserves none. */
    readonly lambdaReservedConcurrency?: number;
    /** Creates this Cognito user with a generated temporary password when set. */
    readonly testUserEmail?: string;
    /** JSON access logs for the stage. */
    readonly accessLogs: boolean;
    /** Retention of the function's and the stage's log groups. */
    readonly logRetentionDays: number;
    /** Steady-state requests per second across the stage, and the burst above it. */
    readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
    /** X-Ray tracing on the stage and the function. */
    readonly tracing: boolean;
    /** An AWS WAF web ACL with AWS managed rule groups in front of the stage. */
    readonly waf: boolean;
    /** Whether this stack creates the region's API Gateway CloudWatch role or relies on one already set. */
    readonly apiGatewayCloudWatchRole: "create" | "existing";
    readonly mfa: "off" | "optional" | "on";
    readonly deletionProtection: boolean;
    readonly accessTokenMinutes: number;
    readonly refreshTokenDays: number;
    /** Cognito threat protection (the Plus tier). */
    readonly threatProtection: boolean;
    /** Your identity providers, offered on the hosted UI. */
    readonly identityProviders: IdentityProviderConfig[];
    /** Whether the hosted UI also signs in the pool's own (Cognito) users. */
    readonly localUsers: boolean;
    /** The function's VPC: made here, or an existing one; undefined keeps it outside any VPC. */
    readonly vpc?: NetworkConfig;
    /** Hosts under one zone for the hosted UI and the API (ChatGPT's same-root-domain rule); undefined keeps AWS's hosts. */
    readonly customDomain?: CustomDomain;
    /** The MCP surface (POST /mcp, its OAuth metadata and app client); undefined when `mcp` is false. */
    readonly mcp?: McpConfig;
}

export interface McpConfig {
    /** Callback URLs of the MCP app client: the configured ones, or the placeholder. */
    readonly callbackUrls: string[];
    /** True while no MCP callback URL is configured and the placeholder stands in. */
    readonly awaitingCallbackUrl: boolean;
    /** A public client (no secret, PKCE only) instead of a confidential one. */
    readonly publicClient: boolean;
}

/** One host of a Route 53 hosted zone, as CognitoAuth and GptActionApi take it. */
export interface CustomHost {
    /** e.g. auth.example.com */
    readonly host: string;
    /** The hosted zone's domain, e.g. example.com. */
    readonly zone: string;
    /** The zone's id; undefined looks the public zone up by name. */
    readonly hostedZoneId?: string;
}

export interface CustomDomain {
    /** The hosted UI's host. */
    readonly auth: CustomHost;
    /** The API's host. */
    readonly api: CustomHost;
}

/**
 * Defaults, identical to the `default:` of each key in Pulumi.yaml (a test holds the two together). The CLI
 * applies Pulumi.yaml's; these apply where no CLI runs (tests, local mode).
 */
export const CONFIG_DEFAULTS: Readonly<Record<string, string>> = {
    callbackUrl: "",
    callbackUrls: "[]",
    domainPrefix: "",
    scopes: "openid,email,profile",
    stageName: "Prod",
    corsAllowOrigin: "*",
    lambdaTimeout: "25",
    lambdaMemory: "256",
    lambdaReservedConcurrency: "",
    testUserEmail: "",
    accessLogs: "true",
    logRetentionDays: "30",
    throttleRateLimit: "10",
    throttleBurstLimit: "20",
    tracing: "true",
    waf: "false",
    apiGatewayCloudWatchRole: "create",
    mfa: "optional",
    deletionProtection: "auto",
    accessTokenMinutes: "60",
    refreshTokenDays: "30",
    threatProtection: "false",
    customDomain: "",
    identityProviders: "[]",
    localUsers: "true",
    vpc: "",
    mcp: "true",
    mcpCallbackUrl: "",
    mcpCallbackUrls: "[]",
    mcpPublicClient: "false",
};

/**
 * Keys whose values are objects or lists of objects. Pulumi.yaml cannot declare such types, so these are the
 * only keys not declared there; infra/config.ts validates them like the rest.
 */
export const OBJECT_KEYS = ["customDomain", "identityProviders", "vpc"];

/** The retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** Scopes a Cognito app client can allow without a resource server. */
const COGNITO_SCOPES = ["openid", "email", "profile", "phone", "aws.cognito.signin.user.admin"];
/** API Gateway ends a REST integration after 29 s, so a longer Lambda timeout only hides failures. */
const MAX_LAMBDA_TIMEOUT = 29;

/**
 * ChatGPT's "Token Exchange Method" for Cognito: client_secret_basic, the method Cognito documents first for a
 * client with a secret (it accepts client_secret_post too); the header keeps the secret out of request bodies.
 */
export const TOKEN_EXCHANGE_METHOD = "Basic authorization header";

/** Raised for invalid configuration, listing every problem. */
export class ConfigError extends Error {
    constructor(readonly problems: string[]) {
        super(`Invalid gpt-action configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "ConfigError";
    }
}

/**
 * Validates project config values (keys without the `project:` prefix, values as Pulumi passes them: strings,
 * JSON for arrays). Throws a ConfigError listing every problem.
 */
export function parseConfig(raw: Readonly<Record<string, string>>, project: string, stack: string): ActionConfig {
    const problems: string[] = [];
    const values = { ...CONFIG_DEFAULTS, ...raw };
    const fail = (key: string, value: string, why: string, fix: string): undefined => {
        problems.push(`${key} = ${JSON.stringify(value)} ${why}. Fix: ${fix}`);
        return undefined;
    };

    for (const key of Object.keys(raw)) {
        if (!(key in CONFIG_DEFAULTS)) {
            fail(key, raw[key], `is not a gpt-action setting (known: ${Object.keys(CONFIG_DEFAULTS).join(", ")})`,
                `pulumi config rm ${key}`);
        }
    }

    const setTo = (key: string) => `pulumi config set ${key} ${CONFIG_DEFAULTS[key]}`;
    /** A whole number in [min, max]; on a problem, the default stands in (the problem stops the program anyway). */
    const whole = (key: string, min: number, max: number, what: string): number => {
        const n = parseWholeNumber(values[key], min, max);
        if (n === undefined) {
            fail(key, values[key], `must be a whole number ${what} from ${min} to ${max}`, setTo(key));
            return Number(CONFIG_DEFAULTS[key]);
        }
        return n;
    };
    const flag = (key: string): boolean => {
        const text = values[key].trim().toLowerCase();
        if (text !== "true" && text !== "false") {
            fail(key, values[key], "must be true or false", setTo(key));
        }
        return (text === "true" || text === "false" ? text : CONFIG_DEFAULTS[key]) === "true";
    };
    const oneOf = <T extends string>(key: string, allowed: readonly T[]): T => {
        const text = values[key].trim();
        if (!(allowed as readonly string[]).includes(text)) {
            fail(key, values[key], `must be one of ${allowed.join(", ")}`, setTo(key));
            return CONFIG_DEFAULTS[key] as T;
        }
        return text as T;
    };

    /** The URLs of `single` and `list` (each checked), with their ChatGPT twins. */
    const callbacksFrom = (single: string, list: string, shows: string): string[] => {
        const urls: string[] = [];
        const checkUrl = (key: string, url: string, fix: string) => {
            const problem = callbackUrlProblem(url);
            if (problem === undefined) {
                urls.push(url);
            } else {
                fail(key, url, problem, fix);
            }
        };
        if (values[single] !== "") {
            checkUrl(single, values[single], `pulumi config set ${single} <the https URL ${shows}>`);
        }
        const extra = parseStringList(values[list]);
        if (extra === undefined) {
            fail(list, values[list], "is not a list of strings", `pulumi config set --path '${list}[0]' <https URL>`);
        } else {
            extra.forEach((url, i) => checkUrl(`${list}[${i}]`, url, `pulumi config set --path '${list}[${i}]' <https URL>`));
        }
        const all = withChatGptTwins(urls);
        if (all.length > MAX_CALLBACK_URLS) {
            fail(list, `${all.length} URLs`, `exceed Cognito's limit of ${MAX_CALLBACK_URLS} (ChatGPT twins included)`,
                `pulumi config rm ${list}, then set fewer`);
        }
        return all;
    };
    const callbackUrls = callbacksFrom("callbackUrl", "callbackUrls", "ChatGPT shows");
    const mcpOn = flag("mcp");
    const mcpCallbackUrls = callbacksFrom("mcpCallbackUrl", "mcpCallbackUrls", "ChatGPT (or your MCP client) shows for the app");

    const domainPrefix = values.domainPrefix === "" ? undefined : values.domainPrefix;
    if (domainPrefix !== undefined) {
        const problem = domainPrefixProblem(domainPrefix);
        if (problem !== undefined) {
            fail("domainPrefix", domainPrefix, problem, "pulumi config set domainPrefix <my-gpt-login>, or pulumi config rm domainPrefix to derive one");
        }
    }

    const scopes = values.scopes.split(/[\s,]+/).filter((s) => s !== "");
    const unknownScopes = scopes.filter((s) => !COGNITO_SCOPES.includes(s));
    if (scopes.length === 0 || unknownScopes.length > 0) {
        fail("scopes", values.scopes, `must list Cognito's built-in scopes (${COGNITO_SCOPES.join(", ")}); custom scopes need a resource server, which this program does not create`,
            `pulumi config set scopes ${CONFIG_DEFAULTS.scopes}`);
    } else if (!scopes.includes("openid") && scopes.some((s) => ["email", "profile", "phone"].includes(s))) {
        fail("scopes", values.scopes, "asks for email, profile or phone without openid, which Cognito requires with them",
            `pulumi config set scopes openid,${scopes.join(",")}`);
    }

    if (!/^[A-Za-z0-9_-]{1,128}$/.test(values.stageName)) {
        fail("stageName", values.stageName, "must be 1-128 letters, digits, hyphens or underscores (an API Gateway stage name)",
            `pulumi config set stageName ${CONFIG_DEFAULTS.stageName}`);
    }

    const corsAllowOrigin = values.corsAllowOrigin === "" ? undefined : values.corsAllowOrigin;
    if (corsAllowOrigin !== undefined && corsAllowOrigin !== "*" && !/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(corsAllowOrigin)) {
        fail("corsAllowOrigin", corsAllowOrigin, "must be *, an origin such as https://chatgpt.com (scheme and host, no path), or empty to turn CORS off",
            "pulumi config set corsAllowOrigin https://chatgpt.com");
    }

    const lambdaTimeout = whole("lambdaTimeout", 1, MAX_LAMBDA_TIMEOUT, "of seconds (API Gateway ends a REST integration after 29 s)");
    const lambdaMemory = whole("lambdaMemory", 128, 10240, "of MB");
    const lambdaReservedConcurrency = values.lambdaReservedConcurrency === "" ? undefined
        : whole("lambdaReservedConcurrency", 1, 10000, "of concurrent executions (or empty for none)");

    const logRetentionDays = Number(values.logRetentionDays);
    if (!LOG_RETENTION_DAYS.includes(logRetentionDays) || !/^\d+$/.test(values.logRetentionDays)) {
        fail("logRetentionDays", values.logRetentionDays, `must be one of CloudWatch's retention periods: ${LOG_RETENTION_DAYS.join(", ")}`, setTo("logRetentionDays"));
    }
    const rateLimit = Number(values.throttleRateLimit);
    if (!/^\d+(\.\d+)?$/.test(values.throttleRateLimit.trim()) || !(rateLimit > 0 && rateLimit <= 10000)) {
        fail("throttleRateLimit", values.throttleRateLimit, "must be a number of requests per second above 0 and at most 10000", setTo("throttleRateLimit"));
    }
    const burstLimit = whole("throttleBurstLimit", 1, 5000, "of requests");
    const accessTokenMinutes = whole("accessTokenMinutes", 5, 1440, "of minutes (Cognito allows 5 minutes to 1 day)");
    const refreshTokenDays = whole("refreshTokenDays", 1, 3650, "of days (Cognito allows up to 10 years)");
    if (refreshTokenDays * 1440 <= accessTokenMinutes) {
        fail("refreshTokenDays", values.refreshTokenDays, `must outlast the access token (${accessTokenMinutes} minutes)`, setTo("refreshTokenDays"));
    }
    const deletionProtection = oneOf("deletionProtection", ["auto", "on", "off"]);

    const testUserEmail = values.testUserEmail === "" ? undefined : values.testUserEmail;
    if (testUserEmail !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(testUserEmail)) {
        fail("testUserEmail", testUserEmail, "is not an email address (the pool signs users in by email)",
            "pulumi config set testUserEmail you@example.com");
    }

    const customDomain = values.customDomain === "" ? undefined : parseCustomDomain(values.customDomain, (why) =>
        fail("customDomain", values.customDomain, why, "pulumi config set --path customDomain.zone example.com (and optionally customDomain.authSubdomain, customDomain.apiSubdomain, customDomain.hostedZoneId)"));

    const federation = parseIdentityProviders(values.identityProviders);
    for (const problem of federation.problems) {
        fail("identityProviders", "…", problem, "pulumi config set --path 'identityProviders[0].name' … (see the README's identity provider examples)");
    }
    const localUsers = flag("localUsers");
    if (!localUsers && federation.providers.length === 0 && federation.problems.length === 0) {
        fail("localUsers", values.localUsers, "leaves no way to sign in: no identityProviders are configured", "pulumi config set localUsers true");
    }

    const network = values.vpc === "" ? undefined : parseNetwork(values.vpc);
    if (typeof network === "string") {
        fail("vpc", values.vpc, network, "pulumi config set --path vpc.create true, or set vpc.subnetIds[0] and vpc.securityGroupIds[0] with --path");
    }

    const hardening = {
        accessLogs: flag("accessLogs"),
        logRetentionDays,
        throttle: { rateLimit, burstLimit },
        tracing: flag("tracing"),
        waf: flag("waf"),
        apiGatewayCloudWatchRole: oneOf("apiGatewayCloudWatchRole", ["create", "existing"]),
        mfa: oneOf("mfa", ["off", "optional", "on"]),
        // On by default where losing the pool would hurt: stacks named prod, production, prod-eu…
        deletionProtection: deletionProtection === "auto" ? stack.startsWith("prod") : deletionProtection === "on",
        accessTokenMinutes,
        refreshTokenDays,
        threatProtection: flag("threatProtection"),
        customDomain,
        identityProviders: federation.providers,
        vpc: typeof network === "string" ? undefined : network,
        localUsers,
    };

    if (problems.length > 0) {
        throw new ConfigError(problems);
    }
    return {
        callbackUrls: callbackUrls.length > 0 ? callbackUrls : [PLACEHOLDER_CALLBACK_URL],
        awaitingCallbackUrl: callbackUrls.length === 0,
        domainPrefix,
        domainPrefixBase: domainPrefixBase(`${project}-${stack}`),
        scopes,
        chatGptScope: scopes.includes("openid") ? "openid" : scopes.join(" "),
        stageName: values.stageName,
        corsAllowOrigin,
        lambdaTimeout,
        lambdaMemory,
        lambdaReservedConcurrency,
        testUserEmail,
        ...hardening,
        mcp: mcpOn ? {
            callbackUrls: mcpCallbackUrls.length > 0 ? mcpCallbackUrls : [PLACEHOLDER_CALLBACK_URL],
            awaitingCallbackUrl: mcpCallbackUrls.length === 0,
            publicClient: flag("mcpPublicClient"),
        } : undefined,
    };
}

/** Returns why `prefix` breaks Cognito's domain-prefix rules, or undefined when it is valid. */
export function domainPrefixProblem(prefix: string): string | undefined {
    if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(prefix)) {
        return "must be 1-63 lower-case letters, digits or hyphens, starting and ending with a letter or digit";
    }
    const reserved = ["aws", "amazon", "cognito"].find((word) => prefix.includes(word));
    if (reserved !== undefined) {
        return `must not contain the reserved word "${reserved}"`;
    }
    return undefined;
}

/**
 * Turns `text` into the start of a valid domain prefix: lower case, reserved words and other characters
 * dropped, at most 56 characters so that "-" and a 6-character suffix still fit in 63.
 */
export function domainPrefixBase(text: string): string {
    let base = text.toLowerCase();
    // Until none is left: removing one reserved word can join the letters around it into another ("aawsws").
    for (let before = ""; before !== base;) {
        before = base;
        base = base.replace(/aws|amazon|cognito/g, "");
    }
    base = base
        .replace(/[^a-z0-9]+/g, "-")
        .slice(0, 56)
        .replace(/^-+|-+$/g, "");
    return base === "" ? "gpt-action" : base;
}

const DNS_LABELS = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** `{ zone, authSubdomain?, apiSubdomain?, hostedZoneId? }` from its JSON, or undefined after reporting why not. */
function parseCustomDomain(json: string, problem: (why: string) => void): CustomDomain | undefined {
    const fields = parseJson(json);
    if (!isObject(fields)) {
        problem("must be an object with a zone");
        return undefined;
    }
    const unknown = Object.keys(fields).filter((k) => !["zone", "authSubdomain", "apiSubdomain", "hostedZoneId"].includes(k));
    if (unknown.length > 0) {
        problem(`has unknown fields ${unknown.join(", ")} (allowed: zone, authSubdomain, apiSubdomain, hostedZoneId)`);
        return undefined;
    }
    const text = (key: string, fallback?: string) => (typeof fields[key] === "string" ? fields[key] : fallback);
    const zone = text("zone");
    const auth = text("authSubdomain", "auth");
    const api = text("apiSubdomain", "api");
    const hostedZoneId = text("hostedZoneId");
    if (zone === undefined || !DNS_LABELS.test(zone) || !zone.includes(".") || zone.length > 200) {
        problem("needs a zone: the lower-case domain of a Route 53 hosted zone, e.g. example.com");
        return undefined;
    }
    if (auth === undefined || api === undefined || !DNS_LABELS.test(auth) || !DNS_LABELS.test(api)) {
        problem("has an authSubdomain or apiSubdomain that is not lower-case DNS labels (e.g. auth, api, gpt.api)");
        return undefined;
    }
    if (auth === api) {
        problem(`uses ${auth} for both the hosted UI and the API; they need different hosts`);
        return undefined;
    }
    if (hostedZoneId !== undefined && !/^Z[0-9A-Z]{1,32}$/.test(hostedZoneId)) {
        problem("has a hostedZoneId that is not a Route 53 zone id (Z followed by letters and digits)");
        return undefined;
    }
    return { auth: { host: `${auth}.${zone}`, zone, hostedZoneId }, api: { host: `${api}.${zone}`, zone, hostedZoneId } };
}

function parseStringList(json: string): string[] | undefined {
    const value = parseJson(json);
    return Array.isArray(value) && value.every((v): v is string => typeof v === "string") ? value : undefined;
}

function parseWholeNumber(text: string, min: number, max: number): number | undefined {
    const n = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
    return Number.isInteger(n) && n >= min && n <= max ? n : undefined;
}
