/**
 * Every gpt-action setting, one entry each: its type and rules, default, description, the fixing command and the
 * groups that take it. infra/config.ts reads a stack's values with it; Pulumi.yaml's `config:` block and the
 * docs/configuration.md's table are generated from it (npm run settings-docs). Pure: no Pulumi.
 */
import * as z from "zod";
import { isRedirectUri } from "../handler/facade/redirectUris";
import { clientIdPatternProblem } from "../handler/facade/clientIdPatterns";
import { DEFAULT_CLIENT_METADATA_URLS } from "../handler/facade/settings";
import { callbackUrlProblem, MAX_URL_LENGTH } from "./callbacks";
import { parseCustomDomain } from "./customDomainConfig";
import { domainPrefixProblem } from "./domainPrefix";
import { parseIdentityProviders } from "./identityProviders";
import { routeList } from "../handler/routes";
import { GROUP_NAME, tableGroups } from "./grants";
import { parseNetwork } from "./networkConfig";
import { setting } from "./settingTable";
import { checked, flag, json, list, oneOf, optional, positive, text, whole, wholeOneOf, type SettingType } from "./settingTypes";

/** The retention periods CloudWatch Logs accepts, in days. */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];
/** Scopes a Cognito app client can allow without a resource server. */
const COGNITO_SCOPES = ["openid", "email", "profile", "phone", "aws.cognito.signin.user.admin"];

const scopeList: SettingType<string[]> = {
    pulumiType: "string",
    schema: checked(z.string().transform((s) => s.split(/[\s,]+/).filter((scope) => scope !== "")), (scopes) => {
        if (scopes.length === 0 || scopes.some((s) => !COGNITO_SCOPES.includes(s))) {
            return `must list Cognito's built-in scopes (${COGNITO_SCOPES.join(", ")}); custom scopes need a resource server, which this program does not create`;
        }
        if (!scopes.includes("openid") && scopes.some((s) => ["email", "profile", "phone"].includes(s))) {
            return { why: "asks for email, profile or phone without openid, which Cognito requires with them", fix: `pulumi config set scopes openid,${scopes.join(",")}` };
        }
        return undefined;
    }),
};
/** A parser that returns its problem as text, as a json() one. */
const orProblem = <T extends object>(parse: (text: string) => T | string) => (s: string) => {
    const value = parse(s);
    return typeof value === "string" ? { problems: [value] } : { value };
};
const callbackUrl = text(callbackUrlProblem);
const callbackUrlList = list(callbackUrlProblem);
/**
 * An MCP client's callback URL. Only the OAuth facade checks it (at Cognito, the MCP app client's one callback is the
 * facade's), so the facade's rule applies: https, or http on a loopback host (RFC 8252 §7.3), such as the MCP
 * Inspector's `http://127.0.0.1:6276/oauth/callback`; the facade redirects to it byte for byte.
 */
const mcpCallbackUrlProblem = (url: string) => {
    if (url.length > MAX_URL_LENGTH || url.includes("*") || url.includes("#") || !URL.canParse(url)) {
        return callbackUrlProblem(url);
    }
    // The scheme and host alone, by the facade's own rule.
    if (!isRedirectUri(`${new URL(url).origin}/`)) {
        return "must use https:// (or http:// on 127.0.0.1, [::1] or localhost)";
    }
    return isRedirectUri(url) ? undefined
        : "is not a redirect URI the OAuth facade takes: printable ASCII, no code, state, iss or error parameters in its query";
};
/** The fix for a list entry, or for the list as a whole (then its first entry). */
const setPath = (at: string, value = "<https URL>") => `pulumi config set --path '${at.endsWith("]") ? at : `${at}[0]`}' ${value}`;
/** ChatGPT's client metadata document, the default allow-list's one entry. */
const [CHATGPT_CLIENT_METADATA_URL] = DEFAULT_CLIENT_METADATA_URLS;

export const SETTINGS = {
    callbackUrl: setting({
        type: optional(callbackUrl), default: "", in: [],
        description: "The callback URL ChatGPT shows after the Action is saved (https://chatgpt.com/aip/.../oauth/callback); its twin on the other ChatGPT host is registered too. HTTPS (or `http://localhost…`), no `#fragment`, no `*`, ≤ 1024 characters. Until it is set a placeholder stands in (Cognito requires one) and the `nextStep` output says what to run.",
        fix: "pulumi config set callbackUrl <the https URL ChatGPT shows>",
    }),
    callbackUrls: setting({
        type: callbackUrlList, default: "[]", in: [],
        description: "Extra callback URLs (https://, or http://localhost for testing): `pulumi config set --path 'callbackUrls[0]' <url>`.",
        fix: setPath,
    }),
    domainPrefix: setting({
        type: optional(text(domainPrefixProblem)), default: "", in: ["auth"],
        description: "Cognito hosted-UI domain prefix (`<prefix>.auth.<region>.amazoncognito.com`): 1-63 lower-case letters, digits and hyphens, without aws, amazon or cognito. Empty derives `<project>-<stack>-<6 random>`, a suffix that stays the same for the life of the stack.",
        fix: "pulumi config set domainPrefix <my-gpt-login>, or pulumi config rm domainPrefix to derive one",
    }),
    scopes: setting({
        type: scopeList, default: "openid,email,profile", in: ["auth", "api"],
        description: "Comma-separated OAuth scopes the app client allows, Cognito's built-in ones only; every API method accepts an access token holding any one of them.",
    }),
    stageName: setting({
        type: text((name) => (/^[A-Za-z0-9_-]{1,128}$/.test(name) ? undefined : "must be 1-128 letters, digits, hyphens or underscores (an API Gateway stage name)")),
        default: "Prod", in: ["api"],
        description: "API Gateway stage name, the first path segment of `apiUrl`.",
    }),
    corsAllowOrigin: setting({
        type: optional(text((origin) => (origin === "*" || /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(origin) ? undefined
            : "must be *, an origin such as https://chatgpt.com (scheme and host, no path), or empty to turn CORS off"))),
        default: "*", in: ["api"],
        description: "CORS origin for responses and preflights (`*` or `https://host`); empty turns CORS and the OPTIONS methods off.",
        fix: "pulumi config set corsAllowOrigin https://chatgpt.com",
    }),
    lambdaTimeout: setting({
        // "Amazon API Gateway quotas" (docs.aws.amazon.com/apigateway/latest/developerguide/limits.html): a REST
        // integration times out at 29 s. At 29 s Lambda's own timeout races API Gateway's 504, and the function may
        // run on after the client has its answer (review 2026-12-06, N8).
        type: whole(1, 28, "of seconds (API Gateway ends a REST integration at 29 s; stay below it)"), default: "25", in: ["api"],
        description: "Lambda timeout in seconds, 1-28: API Gateway ends a REST integration at 29 s, so the function stops first.",
    }),
    lambdaMemory: setting({
        type: whole(128, 10240, "of MB"), default: "256", in: ["api"],
        description: "Lambda memory in MB, 128-10240.",
    }),
    lambdaReservedConcurrency: setting({
        type: optional(whole(1, 10000, "of concurrent executions (or empty for none)")), default: "", in: ["api"],
        description: "Concurrency reserved for the function, which also caps it (1-10000); empty reserves none. Lambda keeps 100 unreserved, so on a new account (reduced quota) leave it empty: docs/deploy.md, Reserved concurrency on a new account.",
        fix: "pulumi config set lambdaReservedConcurrency 10, or pulumi config rm lambdaReservedConcurrency to reserve none",
    }),
    testUserEmail: setting({
        type: optional(text((email) => (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) ? undefined : "is not an email address (the pool signs users in by email)"))),
        default: "", in: ["auth"],
        description: "Creates this Cognito user without sending an email, with a generated temporary password exported as a secret.",
        fix: "pulumi config set testUserEmail you@example.com",
    }),
    testUserGroups: setting({
        // Read against the shipped table (index.ts deploys it) when the value is checked, so a route that names a
        // group comes before the test user can join it.
        type: list((group) => {
            const named = tableGroups(routeList());
            if (!GROUP_NAME.test(group)) {
                return "is not a Cognito group name the route table can use (1-128 letters, digits or _ . - @ +)";
            }
            return named.includes(group) ? undefined
                : `is not a group the route table names (${named.length === 0 ? "it names none" : named.join(", ")}); add it to a route's groups in handler/routes.ts, or remove it here`;
        }),
        default: "[]", in: ["auth"],
        description: "Cognito groups the test user (`testUserEmail`, and local mode's) joins; each must be one a route's `groups` names: `pulumi config set --path 'testUserGroups[0]' finance`.",
        fix: (at: string) => setPath(at, "<a group the route table names>"),
    }),
    accessLogs: setting({
        type: flag, default: "true", in: ["api"],
        description: "JSON access logs for the API stage (needs the region's API Gateway CloudWatch role, see `apiGatewayCloudWatchRole`).",
    }),
    logRetentionDays: setting({
        type: wholeOneOf(LOG_RETENTION_DAYS, `must be one of CloudWatch's retention periods: ${LOG_RETENTION_DAYS.join(", ")}`), default: "30", in: ["api"],
        description: "Retention of the function's and the stage's logs, one of CloudWatch's periods (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, …).",
    }),
    throttleRateLimit: setting({
        type: positive(10000, "of requests per second"), default: "10", in: [],
        description: "Requests per second the whole stage accepts in steady state; above it API Gateway answers 429.",
    }),
    throttleBurstLimit: setting({
        type: whole(1, 5000, "of requests"), default: "20", in: [],
        description: "Requests the stage accepts in a burst above the rate limit.",
    }),
    tracing: setting({
        type: flag, default: "true", in: ["api"],
        description: "X-Ray tracing on the API stage and the function.",
    }),
    waf: setting({
        type: flag, default: "false", in: ["api"],
        description: "An AWS WAF web ACL with AWS managed rule groups in front of the stage and the Cognito user pool (about $8/month plus requests).",
    }),
    apiGatewayCloudWatchRole: setting({
        type: oneOf(["create", "existing"]), default: "create", in: ["api"],
        description: "`create` (make the region's API Gateway CloudWatch role and set it, kept when the stack is destroyed) or `existing` (the account already has one; leave the region-wide setting alone).",
    }),
    mfa: setting({
        type: oneOf(["off", "optional", "on"]), default: "optional", in: ["auth"],
        description: "Multi-factor sign-in with an authenticator app (TOTP): `off`, `optional` or `on`.",
    }),
    deletionProtection: setting({
        type: oneOf(["auto", "on", "off"]), default: "auto", in: [],
        description: "Cognito user pool deletion protection: `on`, `off`, or `auto` (on for stacks whose name starts with prod).",
    }),
    accessTokenMinutes: setting({
        type: whole(5, 1440, "of minutes (Cognito allows 5 minutes to 1 day)"), default: "60", in: ["auth"],
        description: "Lifetime of access and ID tokens, 5-1440 minutes.",
    }),
    refreshTokenDays: setting({
        type: whole(1, 3650, "of days (Cognito allows up to 10 years)"), default: "30", in: ["auth"],
        description: "Lifetime of refresh tokens, 1-3650 days and longer than the access token; ChatGPT refreshes silently until it expires.",
    }),
    threatProtection: setting({
        type: flag, default: "false", in: ["auth"],
        description: "Cognito threat protection (compromised credentials, adaptive authentication); needs the paid Plus feature plan.",
    }),
    customDomain: setting({
        type: optional(json(orProblem(parseCustomDomain))), default: "", in: ["domains"],
        description: "`{ zone, authSubdomain?, apiSubdomain?, hostedZoneId? }`: the hosted UI and the API on hosts of one Route 53 zone, see [Custom domains](deploy.md#custom-domains-chatgpts-same-root-domain-rule).",
        fix: "pulumi config set --path customDomain.zone example.com (and optionally customDomain.authSubdomain, customDomain.apiSubdomain, customDomain.hostedZoneId)",
    }),
    identityProviders: setting({
        type: json((s) => {
            const { providers, problems } = parseIdentityProviders(s);
            return problems.length > 0 ? { problems } : { value: providers };
        }),
        default: "[]", in: ["auth"], secret: true,
        description: "OIDC or SAML providers offered on the hosted UI, see [Your existing identity provider](deploy.md#your-existing-identity-provider).",
        fix: "pulumi config set --path 'identityProviders[0].name' … (see the identity provider examples in docs/deploy.md)",
    }),
    localUsers: setting({
        type: flag, default: "true", in: ["auth"],
        description: "Whether the hosted UI signs in the user pool's own users; false leaves only the `identityProviders`.",
    }),
    vpc: setting({
        type: optional(json(orProblem(parseNetwork))), default: "", in: ["network"],
        description: "`{ create: true, natGateways? }` or `{ subnetIds, securityGroupIds }`: the function in a VPC, see [Private data](deploy.md#private-data-in-a-vpc-the-cookbooks-redshift-variant).",
        fix: "pulumi config set --path vpc.create true, or set vpc.subnetIds[0] and vpc.securityGroupIds[0] with --path",
    }),
    mcp: setting({
        type: flag, default: "true", in: [],
        description: "Serves the route table as a remote MCP server too (POST `<apiUrl>/mcp`, its OAuth metadata, an MCP app client and resource server); false makes none of them. See [MCP](mcp.md).",
    }),
    mcpCallbackUrl: setting({
        type: optional(text(mcpCallbackUrlProblem)), default: "", in: [],
        description: "For an MCP client without a client metadata document, which uses `mcpClientId`: the callback URL it shows (e.g. https://chatgpt.com/connector/oauth/...). The OAuth facade checks it exactly; at Cognito, the facade's own callback is the MCP app client's only one. ChatGPT with its metadata document needs none.",
        fix: "pulumi config set mcpCallbackUrl <the https URL ChatGPT (or your MCP client) shows for the app>",
    }),
    mcpCallbackUrls: setting({
        type: list(mcpCallbackUrlProblem), default: "[]", in: [],
        description: "More MCP client callback URLs (Claude's, MCP Inspector's `http://localhost:6274/oauth/callback` and `http://127.0.0.1:6276/oauth/callback`…): https, or http on a loopback host; at most 2 KB of them: `pulumi config set --path 'mcpCallbackUrls[0]' <url>`.",
        fix: setPath,
    }),
    mcpClientMetadataUrls: setting({
        type: list((url) => {
            const problem = clientIdPatternProblem(url);
            return problem === undefined ? undefined : `${problem}: a client's metadata document URL, e.g. ${CHATGPT_CLIENT_METADATA_URL}, or a pattern such as https://chatgpt.com/oauth/*/client.json`;
        }),
        default: JSON.stringify(DEFAULT_CLIENT_METADATA_URLS), in: ["mcp"],
        description: "The Client ID Metadata Documents the OAuth facade accepts as `client_id`: exact https URLs, or patterns whose `*` stands for one path segment (scheme and host always exact). Default: ChatGPT's stable and per-connector documents and Claude's, see [client-documents.md](client-documents.md); such clients need no callback URL configured. `[]` accepts none, leaving the MCP app client.",
        fix: (at) => setPath(at, CHATGPT_CLIENT_METADATA_URL),
    }),
    mcpPublicClient: setting({
        type: flag, default: "false", in: [],
        description: "Makes the MCP app client public (no secret; PKCE protects the code) instead of confidential (ChatGPT's user-defined OAuth client takes a client ID and secret).",
    }),
};
