/**
 * The stack's settings, read with the table in infra/settings.ts and grouped by the part of the stack that takes
 * them. Every problem is reported together, with the command that fixes it, before any resource is declared.
 * Pure: local mode uses it without loading Pulumi; infra/loadConfig.ts feeds it from the Pulumi runtime.
 */
import { MAX_CALLBACK_URLS, PLACEHOLDER_CALLBACK_URL, withChatGptTwins } from "./callbacks";
import { domainPrefixBase } from "./domainPrefix";
import { problem, readSettings, valuesIn, type Group, type Values, type ValuesIn } from "./settingTable";
import { SETTINGS } from "./settings";

/** Room for the MCP callback URLs (as JSON) in the OAuth facade's environment, of Lambda's 4 KB. */
export const MAX_MCP_CALLBACK_BYTES = 2048;

export type { CustomDomain, CustomHost } from "./customDomainConfig";
export { domainPrefixBase, domainPrefixProblem } from "./domainPrefix";

type Settings = typeof SETTINGS;
type In<G extends Group> = ValuesIn<Settings, G>;

/** The settings of each part of the stack: the table's values as they are, plus what is combined from several. */
export interface ConfigGroups {
    /** CognitoAuth's. */
    readonly auth: In<"auth"> & {
        /** Callback URLs to register on the app client: the configured ones with their ChatGPT twins, or the placeholder. */
        readonly callbackUrls: string[];
        /** True while no callback URL is configured and the placeholder stands in. */
        readonly awaitingCallbackUrl: boolean;
        /** `<project>-<stack>` made safe for a domain prefix, with room left for a 7-character suffix. */
        readonly domainPrefixBase: string;
        readonly deletionProtection: boolean;
        /** What ChatGPT should request: "openid" when allowed (one scope passes the authorizer), else all scopes. */
        readonly chatGptScope: string;
    };
    /** GptActionApi's. */
    readonly api: In<"api"> & {
        /** Steady-state requests per second across the stage, and the burst above it. */
        readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
    };
    /** The MCP surface (POST /mcp, its OAuth metadata and app client); undefined when `mcp` is false. */
    readonly mcp?: McpConfig;
    /** The function's VPC (`vpc`). */
    readonly network: In<"network">;
    /** The hosts of `customDomain`. */
    readonly domains: In<"domains">;
}

export type McpConfig = In<"mcp"> & {
    /** The MCP app client's redirect URIs, which the OAuth facade checks (with their ChatGPT twins); may be empty. */
    readonly callbackUrls: string[];
    /** A public client (no secret, PKCE only) instead of a confidential one. */
    readonly publicClient: boolean;
};

/** Every group's settings in one object, as local mode and the tests read them. */
export type ActionConfig = ConfigGroups["auth"] & ConfigGroups["api"] & ConfigGroups["network"] & ConfigGroups["domains"] & { readonly mcp?: McpConfig };

/**
 * Defaults, identical to the `default:` of each key in Pulumi.yaml (generated from the same table). The CLI
 * applies Pulumi.yaml's; these apply where no CLI runs (tests, local mode).
 */
export const CONFIG_DEFAULTS: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(SETTINGS).map(([key, entry]) => [key, entry.default]));

/** Keys whose values are objects or lists of objects, which Pulumi.yaml cannot declare. */
export const OBJECT_KEYS = Object.keys(SETTINGS).filter((key) => SETTINGS[key as keyof Settings].type.pulumiType === undefined);

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
 * JSON for arrays) and groups them. Throws a ConfigError listing every problem.
 */
export function parseSettings(raw: Readonly<Record<string, string>>, project: string, stack: string): ConfigGroups {
    const { values, problems } = readSettings(SETTINGS, raw);
    problems.push(...crossProblems(values));
    if (problems.length > 0) {
        throw new ConfigError(problems);
    }
    return groups(values as Values<Settings>, project, stack);
}

/** parseSettings, flattened. */
export function parseConfig(raw: Readonly<Record<string, string>>, project: string, stack: string): ActionConfig {
    const { auth, api, mcp, network, domains } = parseSettings(raw, project, stack);
    return { ...auth, ...api, ...network, ...domains, mcp };
}

/** Rules between settings, checked only when the settings involved are valid on their own. */
function crossProblems(v: Partial<Values<Settings>>): string[] {
    const problems: string[] = [];
    const tooMany = (single: string | undefined, list: string[] | undefined, key: string) => {
        const all = list === undefined ? [] : twinned(single, list);
        if (all.length > MAX_CALLBACK_URLS) {
            problems.push(problem(key, `${all.length} URLs`, `exceed Cognito's limit of ${MAX_CALLBACK_URLS} (ChatGPT twins included)`, `pulumi config rm ${key}, then set fewer`));
        }
    };
    tooMany(v.callbackUrl, v.callbackUrls, "callbackUrls");
    // The MCP callback URLs live in the OAuth facade's environment, which Lambda caps at 4 KB in all.
    const mcpCallbacks = v.mcpCallbackUrls === undefined ? [] : twinned(v.mcpCallbackUrl, v.mcpCallbackUrls);
    const mcpBytes = Buffer.byteLength(JSON.stringify(mcpCallbacks));
    if (mcpBytes > MAX_MCP_CALLBACK_BYTES) {
        problems.push(problem("mcpCallbackUrls", `${mcpCallbacks.length} URLs, ${mcpBytes} bytes`,
            `exceed the OAuth facade's room for them (${MAX_MCP_CALLBACK_BYTES} bytes of JSON; Lambda holds 4 KB of environment variables in all)`,
            "pulumi config rm mcpCallbackUrls, then set fewer"));
    }
    if (v.refreshTokenDays !== undefined && v.accessTokenMinutes !== undefined && v.refreshTokenDays * 1440 <= v.accessTokenMinutes) {
        problems.push(problem("refreshTokenDays", String(v.refreshTokenDays), `must outlast the access token (${v.accessTokenMinutes} minutes)`, `pulumi config set refreshTokenDays ${SETTINGS.refreshTokenDays.default}`));
    }
    if (v.localUsers === false && v.identityProviders?.length === 0) {
        problems.push(problem("localUsers", "false", "leaves no way to sign in: no identityProviders are configured", "pulumi config set localUsers true"));
    }
    return problems;
}

/** A `callbackUrl` and its `callbackUrls`, each followed by its ChatGPT twin. */
const twinned = (single: string | undefined, list: string[]) => withChatGptTwins([...(single === undefined ? [] : [single]), ...list]);

/** The configured callback URLs with their ChatGPT twins, or the placeholder while there are none. */
function callbacks(single: string | undefined, list: string[]) {
    const urls = twinned(single, list);
    return { callbackUrls: urls.length > 0 ? urls : [PLACEHOLDER_CALLBACK_URL], awaitingCallbackUrl: urls.length === 0 };
}

function groups(v: Values<Settings>, project: string, stack: string): ConfigGroups {
    return {
        auth: {
            ...valuesIn(SETTINGS, v, "auth"),
            ...callbacks(v.callbackUrl, v.callbackUrls),
            domainPrefixBase: domainPrefixBase(`${project}-${stack}`),
            // On by default where losing the pool would hurt: stacks named prod, production, prod-eu…
            deletionProtection: v.deletionProtection === "auto" ? stack.startsWith("prod") : v.deletionProtection === "on",
            chatGptScope: v.scopes.includes("openid") ? "openid" : v.scopes.join(" "),
        },
        api: { ...valuesIn(SETTINGS, v, "api"), throttle: { rateLimit: v.throttleRateLimit, burstLimit: v.throttleBurstLimit } },
        // No placeholder: Cognito sees only the facade's callback, and the facade needs no stand-in.
        mcp: v.mcp ? (() => {
            const callbackUrls = twinned(v.mcpCallbackUrl, v.mcpCallbackUrls);
            return { ...valuesIn(SETTINGS, v, "mcp"), callbackUrls, publicClient: v.mcpPublicClient };
        })() : undefined,
        network: valuesIn(SETTINGS, v, "network"),
        domains: valuesIn(SETTINGS, v, "domains"),
    };
}
