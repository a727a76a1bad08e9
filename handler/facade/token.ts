/**
 * POST /oauth/token (RFC 6749 §4.1.3, §6) and POST /oauth/revoke (RFC 7009): the client's request, checked against
 * the envelope its code or refresh token came in, forwarded to Cognito as the app client Cognito knows (the shadow
 * client for a CIMD client), with the facade's callback as redirect URI, the one Cognito issued the code for.
 */
import type { APIGatewayProxyResult } from "aws-lambda";
import { clientKind, type FacadeContext } from "./context";
import { openCode, openRefreshToken, sealRefreshToken } from "./envelopes";
import { logTokenIssued } from "./issued";
import { facadeUrls } from "./paths";
import { verifierMatches } from "./pkce";
import type { FacadeRequest } from "./request";
import { singleValued } from "./request";
import { BASE_HEADERS, json, oauthError } from "./responses";

/** Far above any token request; refused before parsing. */
const MAX_FORM_CHARS = 64 * 1024;
/** Cognito answers in well under a second; API Gateway gives up at 29 s (infra/oauthFacade.ts sets the function's timeout from this). */
export const COGNITO_TIMEOUT_MS = 10_000;

/**
 * Fields a client may send that Cognito understands; anything else is dropped, never forwarded. Not `scope`: the
 * facade grants one scope, the app client's (RFC 6749 §6 lets a refresh omit it); a client-chosen one could ask
 * Cognito for more than /authorize allowed. Not `resource`: Cognito's token endpoint does not take it ("The token
 * issuer endpoint" lists grant_type, client_id, client_secret, scope, redirect_uri, refresh_token, code,
 * aws_client_metadata and code_verifier); Cognito binds the audience at /oauth2/authorize ("The authorize endpoint",
 * `resource`) and "the new access token maintains the requested API url in the aud claim" on refresh. So the facade
 * checks it (RFC 8707 §2) and keeps it to itself.
 */
const FORWARDED = ["grant_type", "code", "redirect_uri", "code_verifier", "refresh_token", "client_id", "client_secret", "token"];

interface Caller {
    readonly clientId: string;
    readonly kind: "cimd" | "static";
    readonly form: ReadonlyMap<string, string>;
    /** The client's own Authorization header, forwarded for a static client (HTTP Basic with its secret). */
    readonly authorization: string | undefined;
}

type Checked = { readonly ok: true; readonly caller: Caller } | { readonly ok: false; readonly result: APIGatewayProxyResult };

const invalidClient = (description: string, basic: boolean) =>
    oauthError(401, "invalid_client", description, basic ? { "WWW-Authenticate": 'Basic realm="token"' } : {});

/**
 * The form, and the client it names (RFC 6749 §2.3.1 for HTTP Basic; RFC 7521 §4.2 for an assertion, whose `sub`
 * names the client when the form does not). A static client's secret is Cognito's to check; a CIMD client
 * authenticates here, as its metadata document says (clientAuthentication.ts).
 */
async function readCaller(context: FacadeContext, request: FacadeRequest): Promise<Checked> {
    const contentType = (request.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
    const { body } = request;
    if (contentType !== "application/x-www-form-urlencoded" || body === undefined || body.length > MAX_FORM_CHARS) {
        return { ok: false, result: oauthError(400, "invalid_request", "Send an application/x-www-form-urlencoded body (RFC 6749 §3.2).") };
    }
    const values = new Map<string, string[]>();
    for (const [key, value] of new URLSearchParams(body)) {
        values.set(key, [...(values.get(key) ?? []), value]);
    }
    const single = singleValued(values);
    if ("repeated" in single) {
        return { ok: false, result: oauthError(400, "invalid_request", `The parameter ${single.repeated.slice(0, 40)} is sent more than once.`) };
    }
    const form = single.params;
    const authorization = request.headers.authorization;
    const basic = authorization?.match(/^Basic\s+([A-Za-z0-9+/=]+)\s*$/i);
    let basicId: string | undefined;
    if (authorization !== undefined) {
        const decoded = basic === null || basic === undefined ? "" : Buffer.from(basic[1], "base64").toString("utf8");
        const colon = decoded.indexOf(":");
        try {
            basicId = colon < 0 ? undefined : decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, " "));
        } catch {
            basicId = undefined;
        }
        if (basicId === undefined) {
            return { ok: false, result: invalidClient("Malformed client credentials.", true) };
        }
    }
    const formId = form.get("client_id");
    if (basicId !== undefined && formId !== undefined && formId !== basicId) {
        return { ok: false, result: invalidClient("client_id does not match the authenticated client.", true) };
    }
    const credentials = { assertionType: form.get("client_assertion_type"), assertion: form.get("client_assertion") };
    const clientId = basicId ?? formId ?? assertionSubject(credentials.assertion) ?? "";
    const kind = clientKind(context.settings, clientId);
    if (kind === "unknown") {
        return { ok: false, result: invalidClient("Unknown client.", basicId !== undefined) };
    }
    if (kind === "static") {
        // Cognito checks a static client's secret (if it has one) and knows no assertion: one is refused, never dropped.
        return credentials.assertion === undefined && credentials.assertionType === undefined
            ? { ok: true, caller: { clientId, kind, form, authorization } }
            : { ok: false, result: invalidClient("A pre-registered client authenticates as Cognito knows it (its secret, or PKCE alone), not with a client assertion.", false) };
    }
    // A CIMD client's document is public (clientDocuments.ts): it has no secret to present.
    if (basicId !== undefined || form.has("client_secret")) {
        return { ok: false, result: invalidClient("A client identified by a metadata document has no secret: it authenticates with private_key_jwt or PKCE only, as its document says.", basicId !== undefined) };
    }
    const { settings } = context;
    // RFC 7523 §3 item 3: the audience is this authorization server, by its issuer or its token endpoint's URL.
    const authenticated = await context.clientAuth.authenticate(context.documents, clientId, credentials, [settings.issuer, facadeUrls(settings.issuer).token]);
    if (!authenticated.ok) {
        return { ok: false, result: invalidClient(authenticated.description, false) };
    }
    return { ok: true, caller: { clientId, kind, form, authorization } };
}

/** The unverified `sub` of a compact JWT, to find the client whose keys will verify it; undefined if unreadable. */
function assertionSubject(assertion: string | undefined): string | undefined {
    try {
        const payload: unknown = JSON.parse(Buffer.from(assertion?.split(".")[1] ?? "", "base64url").toString("utf8"));
        return typeof payload === "object" && payload !== null && typeof (payload as Record<string, unknown>).sub === "string"
            ? (payload as Record<string, string>).sub : undefined;
    } catch {
        return undefined;
    }
}

/** The caller's form as Cognito should see it, with `changes` applied (undefined removes a field). */
function forwardedForm(caller: Caller, changes: Readonly<Record<string, string | undefined>>): URLSearchParams {
    const form = new URLSearchParams();
    for (const key of FORWARDED) {
        const value = key in changes ? changes[key] : caller.form.get(key);
        if (value !== undefined) {
            form.set(key, value);
        }
    }
    return form;
}

interface Answer {
    readonly status: number;
    readonly body: string;
    readonly contentType: string;
}

/**
 * Cognito's answer to `form`, or, when the call times out (postForm's AbortSignal) or fails on the network, the
 * 502 server_error `relay` gives an unexpected answer: the client meets a gateway's failure, not a 500 of ours.
 */
async function forward(context: FacadeContext, url: string, caller: Caller, form: URLSearchParams): Promise<Answer | APIGatewayProxyResult> {
    const headers: Record<string, string> = { "Content-Type": "application/x-www-form-urlencoded" };
    if (caller.kind === "static" && caller.authorization !== undefined) {
        headers.Authorization = caller.authorization;
    }
    try {
        const res = await context.post(url, form, headers);
        return { status: res.status, body: await res.text(), contentType: res.headers.get("content-type") ?? "application/json" };
    } catch {
        return oauthError(502, "server_error", "The authorization server could not be reached.");
    }
}

/**
 * Cognito's answer, unchanged but for a refresh token issued to a CIMD client, which goes back wrapped for `wrapFor`.
 * Only a 2xx or a 4xx (RFC 6749 §5.1, §5.2) is relayed; a redirect or a server error becomes 502 server_error, so
 * that no Location or body of Cognito's other answers reaches the client. `forward`'s own 502 passes through.
 */
function relay(context: FacadeContext, answer: Answer | APIGatewayProxyResult, wrapFor?: string): APIGatewayProxyResult {
    if ("statusCode" in answer) {
        return answer;
    }
    if (answer.status < 200 || (answer.status >= 300 && answer.status < 400) || answer.status >= 500) {
        return oauthError(502, "server_error", "The authorization server answered unexpectedly.");
    }
    if (wrapFor !== undefined && answer.status >= 200 && answer.status < 300) {
        let tokens: unknown;
        try {
            tokens = JSON.parse(answer.body);
        } catch {
            return oauthError(502, "server_error", "The authorization server's answer could not be read.");
        }
        if (typeof tokens === "object" && tokens !== null && !Array.isArray(tokens)) {
            const record = tokens as Record<string, unknown>;
            if (typeof record.refresh_token === "string") {
                return json(200, { ...record, refresh_token: sealRefreshToken(context.settings.stateKey, { clientId: wrapFor, cognitoRefreshToken: record.refresh_token }) });
            }
        }
        return json(200, tokens);
    }
    return { statusCode: answer.status, headers: { "Content-Type": answer.contentType, ...BASE_HEADERS }, body: answer.body };
}

export async function token(context: FacadeContext, request: FacadeRequest): Promise<APIGatewayProxyResult> {
    const checked = await readCaller(context, request);
    if (!checked.ok) {
        return checked.result;
    }
    const { caller } = checked;
    const { settings } = context;
    const invalidGrant = (description: string) => oauthError(400, "invalid_grant", description);
    const clientIdForCognito = caller.kind === "cimd" ? settings.shadowClientId : caller.form.get("client_id");
    const grantType = caller.form.get("grant_type");
    // RFC 8707 §2: the one resource is the MCP server, as /authorize requires; any other is invalid_target. Never
    // forwarded (FORWARDED): the binding was made at Cognito's /oauth2/authorize and holds on refresh.
    const resource = caller.form.get("resource");
    // Which client got the tokens, and their sign-in: the link from the handler's audit lines to a CIMD client's URL.
    const issued = (result: APIGatewayProxyResult, grant: "authorization_code" | "refresh_token") => {
        logTokenIssued(result, { requestId: request.gatewayRequestId ?? "local", clientId: caller.clientId, grantType: grant });
        return result;
    };
    if (resource !== undefined && resource !== settings.resource) {
        return oauthError(400, "invalid_target", "resource must be this MCP server's URL (RFC 8707).");
    }
    if (grantType === "authorization_code") {
        const code = openCode(settings.stateKey, caller.form.get("code") ?? "", context.clock());
        if (!code.ok) {
            return invalidGrant("The code is invalid or expired.");
        }
        // The code names the client and redirect URI it was issued for (RFC 6749 §4.1.3); no other client may redeem it.
        if (code.value.clientId !== caller.clientId) {
            return invalidGrant("The code was issued to another client.");
        }
        if (caller.form.get("redirect_uri") !== code.value.redirectUri) {
            return invalidGrant("redirect_uri differs from the authorization request's.");
        }
        // Cognito checks the verifier too (the challenge went through); checking here first keeps that true even for
        // a Cognito app client that would take a code without one.
        if (!verifierMatches(caller.form.get("code_verifier"), code.value.codeChallenge)) {
            return invalidGrant("code_verifier does not match the code_challenge (RFC 7636 §4.6).");
        }
        const form = forwardedForm(caller, { code: code.value.cognitoCode, redirect_uri: settings.callbackUrl, client_id: clientIdForCognito, refresh_token: undefined, token: undefined });
        return issued(relay(context, await forward(context, settings.cognito.tokenEndpoint, caller, form), caller.kind === "cimd" ? caller.clientId : undefined), grantType);
    }
    if (grantType === "refresh_token") {
        let refreshToken = caller.form.get("refresh_token");
        if (caller.kind === "cimd") {
            const wrapped = openRefreshToken(settings.stateKey, refreshToken ?? "", context.clock());
            if (!wrapped.ok || wrapped.value.clientId !== caller.clientId) {
                return invalidGrant("The refresh token is invalid or was issued to another client.");
            }
            refreshToken = wrapped.value.cognitoRefreshToken;
        }
        const form = forwardedForm(caller, { refresh_token: refreshToken, client_id: clientIdForCognito, code: undefined, code_verifier: undefined, redirect_uri: undefined, token: undefined });
        return issued(relay(context, await forward(context, settings.cognito.tokenEndpoint, caller, form), caller.kind === "cimd" ? caller.clientId : undefined), grantType);
    }
    return oauthError(400, "unsupported_grant_type", "Use authorization_code or refresh_token.");
}

export async function revoke(context: FacadeContext, request: FacadeRequest): Promise<APIGatewayProxyResult> {
    const checked = await readCaller(context, request);
    if (!checked.ok) {
        return checked.result;
    }
    const { caller } = checked;
    const { settings } = context;
    let tokenValue = caller.form.get("token");
    if (tokenValue === undefined || tokenValue === "") {
        return oauthError(400, "invalid_request", "token is required.");
    }
    if (caller.kind === "cimd") {
        const wrapped = openRefreshToken(settings.stateKey, tokenValue, context.clock());
        if (!wrapped.ok || wrapped.value.clientId !== caller.clientId) {
            // RFC 7009 §2.2: an invalid token, or one of another client, is answered 200 and nothing is revoked.
            return { statusCode: 200, headers: { ...BASE_HEADERS }, body: "" };
        }
        tokenValue = wrapped.value.cognitoRefreshToken;
    }
    const form = forwardedForm(caller, {
        token: tokenValue, client_id: caller.kind === "cimd" ? settings.shadowClientId : caller.form.get("client_id"),
        grant_type: undefined, code: undefined, code_verifier: undefined, redirect_uri: undefined, refresh_token: undefined,
    });
    return relay(context, await forward(context, settings.cognito.revocationEndpoint, caller, form));
}

/** The default `post`: a form to Cognito, bounded in time. */
export function postForm(url: string, form: URLSearchParams, headers: Readonly<Record<string, string>>): Promise<Response> {
    return fetch(url, { method: "POST", headers, body: form, redirect: "manual", signal: AbortSignal.timeout(COGNITO_TIMEOUT_MS) });
}
