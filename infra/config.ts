/**
 * The stack's settings: validated and turned into one typed object. Every problem is reported together, with
 * the command that fixes it, before any resource is declared. Pure: local mode uses it without loading Pulumi;
 * infra/loadConfig.ts feeds it from the Pulumi runtime.
 */
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
    /** Creates this Cognito user with a generated temporary password when set. */
    readonly testUserEmail?: string;
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
    testUserEmail: "",
};

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

    const urls: string[] = [];
    const checkUrl = (key: string, url: string, fix: string) => {
        const problem = callbackUrlProblem(url);
        if (problem === undefined) {
            urls.push(url);
        } else {
            fail(key, url, problem, fix);
        }
    };
    if (values.callbackUrl !== "") {
        checkUrl("callbackUrl", values.callbackUrl, "pulumi config set callbackUrl <the https URL ChatGPT shows>");
    }
    const extra = parseStringList(values.callbackUrls);
    if (extra === undefined) {
        fail("callbackUrls", values.callbackUrls, "is not a list of strings",
            "pulumi config set --path 'callbackUrls[0]' <https URL>");
    } else {
        extra.forEach((url, i) => checkUrl(`callbackUrls[${i}]`, url, `pulumi config set --path 'callbackUrls[${i}]' <https URL>`));
    }
    const callbackUrls = withChatGptTwins(urls);
    if (callbackUrls.length > MAX_CALLBACK_URLS) {
        fail("callbackUrls", `${callbackUrls.length} URLs`, `exceed Cognito's limit of ${MAX_CALLBACK_URLS} (ChatGPT twins included)`,
            "pulumi config rm callbackUrls, then set fewer");
    }

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

    const lambdaTimeout = parseWholeNumber(values.lambdaTimeout, 1, MAX_LAMBDA_TIMEOUT);
    if (lambdaTimeout === undefined) {
        fail("lambdaTimeout", values.lambdaTimeout, `must be a whole number of seconds from 1 to ${MAX_LAMBDA_TIMEOUT}: API Gateway ends a REST integration after 29 s`,
            `pulumi config set lambdaTimeout ${CONFIG_DEFAULTS.lambdaTimeout}`);
    }
    const lambdaMemory = parseWholeNumber(values.lambdaMemory, 128, 10240);
    if (lambdaMemory === undefined) {
        fail("lambdaMemory", values.lambdaMemory, "must be a whole number of MB from 128 to 10240",
            `pulumi config set lambdaMemory ${CONFIG_DEFAULTS.lambdaMemory}`);
    }

    const testUserEmail = values.testUserEmail === "" ? undefined : values.testUserEmail;
    if (testUserEmail !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(testUserEmail)) {
        fail("testUserEmail", testUserEmail, "is not an email address (the pool signs users in by email)",
            "pulumi config set testUserEmail you@example.com");
    }

    if (problems.length > 0 || lambdaTimeout === undefined || lambdaMemory === undefined) {
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
        testUserEmail,
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
    const base = text
        .toLowerCase()
        .replace(/aws|amazon|cognito/g, "")
        .replace(/[^a-z0-9]+/g, "-")
        .slice(0, 56)
        .replace(/^-+|-+$/g, "");
    return base === "" ? "gpt-action" : base;
}

function parseStringList(json: string): string[] | undefined {
    let value: unknown;
    try {
        value = JSON.parse(json);
    } catch {
        return undefined;
    }
    return Array.isArray(value) && value.every((v): v is string => typeof v === "string") ? value : undefined;
}

function parseWholeNumber(text: string, min: number, max: number): number | undefined {
    const n = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
    return Number.isInteger(n) && n >= min && n <= max ? n : undefined;
}
