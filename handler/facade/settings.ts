/**
 * The OAuth facade's settings: every environment variable it reads, named and documented here and nowhere else,
 * the builder the infrastructure calls to fill them, and the reader the function runs at start. Pure: no Pulumi,
 * no I/O. The state key is not among them: the environment names the Secrets Manager secret that holds it
 * (stateKeySecret.ts reads it); local mode and tests hand the key over directly (facadeSettings). The facade's callback, its scope and the resource it accepts are not variables: each follows from the
 * issuer (paths.ts), so they cannot disagree with it.
 */
import { isAllowListEntry } from "./clientIdPatterns";
import { facadeUrls, issuerUrl, mcpResourceUrl, mcpToolsScope } from "./paths";
import { isRedirectUri } from "./redirectUris";

export { isClientIdUrl } from "./clientIdPatterns";

/** The environment variables, by role. */
export const FACADE_ENV = {
    /** The issuer identifier: the API's base URL without a trailing slash, the metadata's `issuer` and every response's `iss`. */
    issuer: "FACADE_ISSUER",
    /** Cognito's hosted-UI endpoints the facade forwards to. */
    cognitoAuthorizeUrl: "FACADE_COGNITO_AUTHORIZE_URL",
    cognitoTokenUrl: "FACADE_COGNITO_TOKEN_URL",
    cognitoRevokeUrl: "FACADE_COGNITO_REVOKE_URL",
    /** The public app client (no secret, the MCP scope, the facade's callback only) that every CIMD client signs in through. */
    shadowClientId: "FACADE_SHADOW_CLIENT_ID",
    /**
     * The ARN of the Secrets Manager secret whose SecretString is the state key (base64url, at least 32 bytes: the
     * HMAC-SHA256 key of the signed state, and through HKDF the AES-GCM keys of codes and refresh tokens). Not the key: Lambda shows its environment to
     * anyone allowed the read-only lambda:GetFunctionConfiguration.
     */
    stateKeySecretArn: "FACADE_STATE_KEY_SECRET_ARN",
    /**
     * The secret version holding the key. A rotation makes a new version, so it changes the function's configuration
     * and Lambda starts new instances, which read the new key: without it, warm instances would sign with the old
     * one until recycled.
     */
    stateKeyVersionId: "FACADE_STATE_KEY_VERSION_ID",
    /** JSON array of the HTTPS client_id URLs whose metadata documents are accepted (the allow-list): exact, or with `*` for one path segment (clientIdPatterns.ts). */
    clientMetadataUrls: "FACADE_CLIENT_METADATA_URLS",
    /** JSON object: each pre-registered app client's id to its exact redirect URIs (the MCP app client's callback URLs; redirectUris.ts says which are taken). */
    staticClients: "FACADE_STATIC_CLIENTS",
} as const;

/**
 * The default allow-list (config `mcpClientMetadataUrls`): ChatGPT's stable document, ChatGPT's per-connector ones
 * (and Codex's, `…/oauth/codex/client.json`, which the same pattern covers), and Claude's. Sources: OpenAI, Apps SDK
 * "Authentication" (developers.openai.com/apps-sdk/build/auth: CIMD, the stable callback with RFC 9207 `iss`);
 * ChatGPT's per-connector documents `https://chatgpt.com/oauth/<callback_id>/client.json` with callbacks
 * `https://chatgpt.com/connector/oauth/<callback_id>` as observed by other authorization servers (issue 20);
 * Anthropic, "Authentication for connectors" and Claude's live document at the URL below (docs/client-documents.md).
 */
export const DEFAULT_CLIENT_METADATA_URLS: readonly string[] = [
    "https://chatgpt.com/oauth/client.json",
    "https://chatgpt.com/oauth/*/client.json",
    "https://claude.ai/oauth/mcp-oauth-client-metadata",
];

/** HMAC-SHA256 wants a key at least as long as its output (RFC 2104 §3). */
export const MIN_STATE_KEY_BYTES = 32;

export interface CognitoOAuthEndpoints {
    readonly authorizationEndpoint: string;
    readonly tokenEndpoint: string;
    readonly revocationEndpoint: string;
}

export interface FacadeSettings {
    readonly issuer: string;
    /** The facade's own redirect URI at Cognito, `<issuer>/oauth/callback`: the shadow client's only callback URL. */
    readonly callbackUrl: string;
    readonly cognito: CognitoOAuthEndpoints;
    readonly shadowClientId: string;
    readonly stateKey: Buffer;
    readonly clientMetadataUrls: readonly string[];
    readonly staticClients: ReadonlyMap<string, readonly string[]>;
    /** The one scope the facade grants, `<resource>/tools`. */
    readonly scope: string;
    /** The one RFC 8707 resource it accepts: the MCP server's URL, `<issuer>/mcp`. */
    readonly resource: string;
}

/** What the function's environment holds: every setting but the key, and where the key is. */
export interface FacadeEnvironmentSettings extends Omit<FacadeSettings, "stateKey"> {
    readonly stateKeySecretArn: string;
    readonly stateKeyVersionId: string;
}

/** What the infrastructure knows, as plain values (resolve Pulumi Outputs first, e.g. in `pulumi.all(...).apply`). */
export interface FacadeEnvironmentValues {
    /** The API's base URL, the same one given to infra/mcpMetadata.ts (execute-api stage URL or custom domain). */
    readonly apiUrl: string;
    readonly cognito: CognitoOAuthEndpoints;
    readonly shadowClientId: string;
    /** The secret holding the state key (base64url of at least 32 random bytes), and the version to read. */
    readonly stateKeySecretArn: string;
    readonly stateKeyVersionId: string;
    /** Default: DEFAULT_CLIENT_METADATA_URLS. */
    readonly clientMetadataUrls?: readonly string[];
    /** The MCP app client's id and its callback URLs. */
    readonly staticClients: Readonly<Record<string, readonly string[]>>;
}

/** The function's environment for `values`; throws on a value the facade would refuse at start. */
export function facadeEnvironment(values: FacadeEnvironmentValues): Record<string, string> {
    const environment = {
        ...settingsEnvironment(values),
        [FACADE_ENV.stateKeySecretArn]: values.stateKeySecretArn,
        [FACADE_ENV.stateKeyVersionId]: values.stateKeyVersionId,
    };
    readFacadeSettings(environment);
    return environment;
}

/** Settings for a facade given its key directly (local mode, tests): the same checks as the function's, no secret. */
export function facadeSettings(values: Omit<FacadeEnvironmentValues, "stateKeySecretArn" | "stateKeyVersionId">, key: Buffer): FacadeSettings {
    return { ...readUnkeyed(settingsEnvironment(values)), stateKey: stateKey(key.toString("base64url")) };
}

/** The settings in `env` but the key, and the secret that holds it; throws a message naming the variable that is missing or wrong (never its value). */
export function readFacadeSettings(env: Readonly<Record<string, string | undefined>>): FacadeEnvironmentSettings {
    const settings = readUnkeyed(env);
    const stateKeySecretArn = required(env, FACADE_ENV.stateKeySecretArn);
    if (!/^arn:aws(-us-gov|-cn)?:secretsmanager:[a-z0-9-]+:\d{12}:secret:\S+$/.test(stateKeySecretArn)) {
        throw new Error(`${FACADE_ENV.stateKeySecretArn} is not a Secrets Manager secret ARN`);
    }
    return { ...settings, stateKeySecretArn, stateKeyVersionId: required(env, FACADE_ENV.stateKeyVersionId) };
}

/** The function's settings completed with the key its secret holds (base64url, at least 32 bytes); throws if the key is unusable. */
export function withStateKey(settings: FacadeEnvironmentSettings, key: string): FacadeSettings {
    const unkeyed: Omit<FacadeSettings, "stateKey"> & { stateKeySecretArn?: string; stateKeyVersionId?: string } = { ...settings };
    delete unkeyed.stateKeySecretArn;
    delete unkeyed.stateKeyVersionId;
    return { ...unkeyed, stateKey: stateKey(key) };
}

function settingsEnvironment(values: Omit<FacadeEnvironmentValues, "stateKeySecretArn" | "stateKeyVersionId">): Record<string, string> {
    return {
        [FACADE_ENV.issuer]: issuerUrl(values.apiUrl),
        [FACADE_ENV.cognitoAuthorizeUrl]: values.cognito.authorizationEndpoint,
        [FACADE_ENV.cognitoTokenUrl]: values.cognito.tokenEndpoint,
        [FACADE_ENV.cognitoRevokeUrl]: values.cognito.revocationEndpoint,
        [FACADE_ENV.shadowClientId]: values.shadowClientId,
        [FACADE_ENV.clientMetadataUrls]: JSON.stringify(values.clientMetadataUrls ?? DEFAULT_CLIENT_METADATA_URLS),
        [FACADE_ENV.staticClients]: JSON.stringify(values.staticClients),
    };
}

/** The variable `name`, which must be set. */
function required(env: Readonly<Record<string, string | undefined>>, name: string): string {
    const value = env[name];
    if (value === undefined || value.trim() === "") {
        throw new Error(`${name} is not set`);
    }
    return value;
}

function readUnkeyed(env: Readonly<Record<string, string | undefined>>): Omit<FacadeSettings, "stateKey"> {
    const text = (name: string): string => required(env, name);
    const url = (name: string): string => {
        const value = text(name);
        if (!URL.canParse(value)) {
            throw new Error(`${name} is not an absolute URL`);
        }
        return value;
    };
    const issuer = url(FACADE_ENV.issuer);
    // The issuer as the function received it (issuerUrl(apiUrl)); the builders strip a trailing slash, none is left.
    if (issuer !== issuerUrl(issuer)) {
        throw new Error(`${FACADE_ENV.issuer} must not end with a slash`);
    }
    const clientMetadataUrls = jsonValue(text(FACADE_ENV.clientMetadataUrls), FACADE_ENV.clientMetadataUrls);
    if (!Array.isArray(clientMetadataUrls) || !clientMetadataUrls.every(isAllowListEntry)) {
        throw new Error(`${FACADE_ENV.clientMetadataUrls} must be a JSON array of HTTPS URLs with a path, no fragment and no user info, `
            + "or patterns with * standing for one whole path segment");
    }
    return {
        issuer,
        callbackUrl: facadeUrls(issuer).callback,
        cognito: {
            authorizationEndpoint: url(FACADE_ENV.cognitoAuthorizeUrl),
            tokenEndpoint: url(FACADE_ENV.cognitoTokenUrl),
            revocationEndpoint: url(FACADE_ENV.cognitoRevokeUrl),
        },
        shadowClientId: text(FACADE_ENV.shadowClientId),
        clientMetadataUrls,
        staticClients: staticClients(text(FACADE_ENV.staticClients)),
        scope: mcpToolsScope(issuer),
        resource: mcpResourceUrl(issuer),
    };
}

function jsonValue(text: string, name: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        throw new Error(`${name} is not valid JSON`);
    }
}

function stateKey(text: string): Buffer {
    if (!/^[A-Za-z0-9_-]+$/.test(text)) {
        throw new Error("the state key must be base64url");
    }
    const key = Buffer.from(text, "base64url");
    if (key.length < MIN_STATE_KEY_BYTES) {
        throw new Error(`the state key must hold at least ${MIN_STATE_KEY_BYTES} bytes`);
    }
    return key;
}

function staticClients(text: string): ReadonlyMap<string, readonly string[]> {
    const value = jsonValue(text, FACADE_ENV.staticClients);
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw new Error(`${FACADE_ENV.staticClients} must be a JSON object of client ids to redirect URI arrays`);
    }
    const clients = new Map<string, readonly string[]>();
    for (const [id, uris] of Object.entries(value)) {
        // A URL-shaped id would be mistaken for a CIMD client_id.
        if (id === "" || URL.canParse(id) || !Array.isArray(uris) || !uris.every(isRedirectUri)) {
            throw new Error(`${FACADE_ENV.staticClients}: each client id must be a non-URL string with an array of redirect URIs, `
                + "each https (or http on a loopback host), with no fragment and no code, state, iss or error parameter");
        }
        clients.set(id, uris);
    }
    return clients;
}
