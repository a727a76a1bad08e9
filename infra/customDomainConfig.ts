/** The `customDomain` setting: its type and its validation. Pure: no Pulumi. */
import { isObject, parseJson } from "./json";

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

const DNS_LABELS = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
/** CreateUserPoolDomain's Domain: at most 63 characters, for a custom domain too. */
const MAX_AUTH_HOST = 63;
const FIELDS = ["zone", "authSubdomain", "apiSubdomain", "hostedZoneId"];

/** `{ zone, authSubdomain?, apiSubdomain?, hostedZoneId? }` from its JSON; returns the problem as text when it is not valid. */
export function parseCustomDomain(json: string): CustomDomain | string {
    const fields = parseJson(json);
    if (!isObject(fields)) {
        return "must be an object with a zone";
    }
    const unknown = Object.keys(fields).filter((k) => !FIELDS.includes(k));
    if (unknown.length > 0) {
        return `has unknown fields ${unknown.join(", ")} (allowed: ${FIELDS.join(", ")})`;
    }
    const text = (key: string, fallback?: string) => (typeof fields[key] === "string" ? fields[key] : fallback);
    const zone = text("zone");
    const auth = text("authSubdomain", "auth");
    const api = text("apiSubdomain", "api");
    const hostedZoneId = text("hostedZoneId");
    if (zone === undefined || !DNS_LABELS.test(zone) || !zone.includes(".") || zone.length > 200) {
        return "needs a zone: the lower-case domain of a Route 53 hosted zone, e.g. example.com";
    }
    if (auth === undefined || api === undefined || !DNS_LABELS.test(auth) || !DNS_LABELS.test(api)) {
        return "has an authSubdomain or apiSubdomain that is not lower-case DNS labels (e.g. auth, api, gpt.api)";
    }
    // The hosted UI's host is the user pool domain's `domain`: CreateUserPoolDomain's Domain is 1-63 characters,
    // and the provider refuses a longer one at preview (terraform-provider-aws cognitoidp/user_pool_domain.go,
    // "domain" ValidateFunc StringLenBetween(1, 63)); review 2026-11-30, D3.
    const authHost = `${auth}.${zone}`;
    if (authHost.length > MAX_AUTH_HOST) {
        return `makes the hosted UI's host ${authHost} ${authHost.length} characters; Cognito takes a custom domain of at most ${MAX_AUTH_HOST} ` +
            "(CreateUserPoolDomain Domain), so shorten authSubdomain or use a shorter zone";
    }
    if (auth === api) {
        return `uses ${auth} for both the hosted UI and the API; they need different hosts`;
    }
    if (hostedZoneId !== undefined && !/^Z[0-9A-Z]{1,32}$/.test(hostedZoneId)) {
        return "has a hostedZoneId that is not a Route 53 zone id (Z followed by letters and digits)";
    }
    return { auth: { host: authHost, zone, hostedZoneId }, api: { host: `${api}.${zone}`, zone, hostedZoneId } };
}
