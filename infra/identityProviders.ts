/**
 * Federation with the identity provider users already have (the cookbook's "best practice"): OIDC (Okta,
 * Entra ID, Google…) or SAML providers, read from config and validated before anything is declared.
 */

import { isObject, parseJson } from "./json";

export type IdentityProviderConfig =
    | {
        readonly type: "oidc";
        readonly name: string;
        /** The provider's issuer URL; Cognito discovers its endpoints from /.well-known/openid-configuration. */
        readonly issuer: string;
        readonly clientId: string;
        /** Set with `pulumi config set --secret --path`; only ever handled as a Pulumi secret. */
        readonly clientSecret: string;
        /** Scopes Cognito asks the provider for. Default: openid email profile. */
        readonly scopes: string[];
        readonly attributeMapping: Record<string, string>;
    }
    | {
        readonly type: "saml";
        readonly name: string;
        readonly metadataUrl: string;
        readonly attributeMapping: Record<string, string>;
    };

const DEFAULT_MAPPING = {
    oidc: { email: "email" },
    saml: { email: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress" },
};

const isRecordOfStrings = (value: unknown): value is Record<string, string> =>
    isObject(value) && Object.values(value).every((v) => typeof v === "string");

const httpsUrl = (value: unknown): value is string => {
    try {
        return typeof value === "string" && new URL(value).protocol === "https:";
    } catch {
        return false;
    }
};

/**
 * A provider name Cognito takes. API_CreateIdentityProvider's ProviderName: length 1-32, pattern
 * `[^_\p{Z}][\p{L}\p{M}\p{S}\p{N}\p{P}][^_\p{Z}]+` (a whole match: so at least 3 characters, and "_" only second;
 * CloudFormation quotes it refusing "_" names, aws/aws-cdk#28667). Within the characters this project allows.
 */
const PROVIDER_NAME = /^[A-Za-z0-9.-][A-Za-z0-9_.-][A-Za-z0-9.-]{1,30}$/;

/** The providers in `json`, or the problems with it (each naming the provider's position). */
export function parseIdentityProviders(json: string): { providers: IdentityProviderConfig[]; problems: string[] } {
    const value = parseJson(json);
    if (!Array.isArray(value)) {
        return { providers: [], problems: ["must be a list of providers"] };
    }
    const providers: IdentityProviderConfig[] = [];
    const problems: string[] = [];
    const names = new Set<string>();
    value.forEach((raw: unknown, i) => {
        const at = `[${i}]`;
        if (!isObject(raw)) {
            problems.push(`${at} must be an object`);
            return;
        }
        const p = raw;
        const name = typeof p.name === "string" ? p.name : "";
        // "COGNITO" is the built-in user store's own name.
        if (!PROVIDER_NAME.test(name) || name.toUpperCase() === "COGNITO") {
            problems.push(`${at}.name ${JSON.stringify(name)} must be 3-32 letters, digits, ".", "_" or "-", with "_" only as the second character ` +
                "(Cognito CreateIdentityProvider ProviderName: [^_\\p{Z}][\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}][^_\\p{Z}]+, at most 32), and not COGNITO");
        } else if (names.has(name)) {
            problems.push(`${at}.name ${name} is used twice`);
        }
        names.add(name);
        const mapping = p.attributeMapping ?? (p.type === "saml" ? DEFAULT_MAPPING.saml : DEFAULT_MAPPING.oidc);
        if (!isRecordOfStrings(mapping)) {
            problems.push(`${at}.attributeMapping must map user-pool attributes to provider attribute names`);
            return;
        }
        if (p.type === "oidc") {
            const allowed = ["type", "name", "issuer", "clientId", "clientSecret", "scopes", "attributeMapping"];
            const extra = Object.keys(p).filter((k) => !allowed.includes(k));
            if (extra.length > 0) {
                problems.push(`${at} has unknown fields ${extra.join(", ")}`);
            }
            if (!httpsUrl(p.issuer)) {
                problems.push(`${at}.issuer must be the provider's https issuer URL`);
            }
            if (typeof p.clientId !== "string" || p.clientId === "" || typeof p.clientSecret !== "string" || p.clientSecret === "") {
                problems.push(`${at} needs clientId and clientSecret (set the secret with pulumi config set --secret --path 'identityProviders${at}.clientSecret' …)`);
            }
            const scopes = p.scopes ?? ["openid", "email", "profile"];
            if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === "string") || !scopes.includes("openid")) {
                problems.push(`${at}.scopes must be a list of scopes that includes openid`);
            }
            if (problems.length === 0) {
                providers.push({ type: "oidc", name, issuer: p.issuer as string, clientId: p.clientId as string, clientSecret: p.clientSecret as string, scopes: scopes as string[], attributeMapping: mapping });
            }
        } else if (p.type === "saml") {
            const extra = Object.keys(p).filter((k) => !["type", "name", "metadataUrl", "attributeMapping"].includes(k));
            if (extra.length > 0) {
                problems.push(`${at} has unknown fields ${extra.join(", ")}`);
            }
            if (!httpsUrl(p.metadataUrl)) {
                problems.push(`${at}.metadataUrl must be the https URL of the provider's SAML metadata`);
            }
            if (problems.length === 0) {
                providers.push({ type: "saml", name, metadataUrl: p.metadataUrl as string, attributeMapping: mapping });
            }
        } else {
            problems.push(`${at}.type must be "oidc" or "saml"`);
        }
    });
    return { providers: problems.length === 0 ? providers : [], problems };
}
