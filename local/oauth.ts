/**
 * An OAuth 2.0 / OpenID Connect authorization server shaped like Cognito's hosted UI, for local mode: the same
 * endpoints, token claims and error behaviour ChatGPT meets in the deployed stack. Tokens are RS256 JWTs
 * signed with a key made at start-up. State lives in memory.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type CryptoKey, type JSONWebKeySet, type JWTPayload } from "jose";
import { authenticateClient, sameSecret, type LocalClient } from "./clients";
import { ExpiringStore } from "./expiringStore";
import { BodyTooLarge, closeSoon, parseForm, readBody, redirect, sendHtml, sendJson } from "./http";
import { Lockout, MAX_USERNAME_LENGTH } from "./lockout";
import { crossSiteRefusal } from "./sameOrigin";
import { errorPage, loginPage, redirectMismatchPage } from "./pages";

export interface LocalUser {
    readonly username: string;
    readonly password: string;
    /** The Cognito groups the user is in, which its tokens carry as `cognito:groups`. Default: none. */
    readonly groups?: readonly string[];
}

export interface AuthorityOptions {
    /**
     * The tokens' `iss`, under which the discovery document and keys are served (Cognito's
     * `https://cognito-idp.<region>.amazonaws.com/<pool id>`). The hosted UI's endpoints are at its origin's root.
     */
    readonly issuer: string;
    /** The GPT Action's app client. */
    readonly client: LocalClient;
    /** The MCP app client, when the MCP surface is on. */
    readonly mcpClient?: LocalClient;
    /**
     * The OAuth facade's shadow client, when the MCP surface is on: public, the MCP scope, and the facade's callback
     * as its only redirect URI, as the deployed pool's. Every CIMD client signs in through it (handler/facade).
     */
    readonly shadowClient?: LocalClient;
    /**
     * The identifiers of the pool's resource servers: the only RFC 8707 `resource` values accepted (Cognito's
     * resource binding). Default: none.
     */
    readonly resources?: readonly string[];
    readonly users: readonly LocalUser[];
    /** Lifetime of access and ID tokens. Default: 3600 s, Cognito's default. */
    readonly tokenSeconds?: number;
    /** Lifetime of refresh tokens. Default: 30 days, Cognito's default. */
    readonly refreshSeconds?: number;
    /** Milliseconds since the epoch; tests move it to expire codes and tokens. Default: Date.now. */
    readonly clock?: () => number;
    /**
     * Where the browser goes after the request's redirect URI, when that URI redirects on (the OAuth facade's callback
     * sends it to the client's): Chromium applies the login page's `form-action` to every hop after the POST, so
     * these must be allowed too. Default: none.
     */
    readonly onwardRedirects?: (request: { readonly redirectUri: string; readonly state?: string }) => readonly string[];
}

/** Cognito's authorization codes live five minutes. */
const CODE_MS = 5 * 60 * 1000;
const FORM_LIMIT = 64 * 1024;
/** How many verified access tokens are remembered before the memory is emptied. */
const VERIFIED_TOKENS_KEPT = 1000;
/** Live codes and refresh tokens kept at most; past that the oldest go first. */
const STORE_CAPACITY = 10_000;
/** Longest `state` or `nonce` accepted: ample for any client, and a bound on what a code keeps in memory. */
const MAX_PARAM_CHARS = 2048;
/** RFC 7636 §4.2: a code challenge is 43 to 128 characters of the base64url alphabet (S256 gives 43). */
const CODE_CHALLENGE = /^[A-Za-z0-9_-]{43,128}$/;
const RESOURCE_UNKNOWN = "resource does not name a resource server of this user pool (RFC 8707).";

interface StoredUser { readonly username: string; readonly password: string; readonly sub: string; readonly groups?: readonly string[] }
interface AuthorizationRequest {
    readonly client_id: string;
    readonly redirect_uri: string;
    readonly response_type: string;
    readonly scope: string;
    readonly state?: string;
    readonly nonce?: string;
    readonly code_challenge?: string;
    readonly code_challenge_method?: string;
    readonly resource?: string;
}
interface Grant {
    readonly clientId: string;
    readonly user: StoredUser;
    readonly scopes: readonly string[];
    readonly nonce?: string;
    readonly authTime: number;
    /** Shared by every token of one sign-in (Cognito's `origin_jti`); revoking the refresh token revokes them all. */
    readonly originJti?: string;
    /** The RFC 8707 resource the tokens are bound to: their `aud`. */
    readonly resource?: string;
}
interface Code extends Grant {
    readonly redirectUri: string;
    readonly challenge?: string;
}
/** A refresh token's state: its grant, when the sign-in's refresh tokens expire, and when rotation retires it. */
interface RefreshEntry {
    readonly grant: Grant;
    /** Rotation keeps the sign-in's expiry: a new refresh token dies when the first one would have (AWS re:Post, "Rotated Refresh Token Validity"). */
    readonly expiresAt: number;
    /** Set at its first rotation: the end of the retry grace period, after which it is refused. */
    retiredAt?: number;
}

function base64Url(bytes: Buffer): string {
    return bytes.toString("base64url");
}

type Check<T> = { ok: true; value: T } | { ok: false; status: number; error: string; description: string; redirectTo?: string; page?: string };

export class LocalAuthority {
    private readonly codes: ExpiringStore<Code>;
    private readonly refreshTokens: ExpiringStore<RefreshEntry>;
    /** The `origin_jti` of revoked sign-ins, until their access tokens would have expired anyway. */
    private readonly revokedOrigins: ExpiringStore<true>;
    private readonly lockout: Lockout;
    private readonly verified = new Map<string, JWTPayload>();
    private last: { readonly token: string; readonly claims: JWTPayload } | undefined;
    private readonly users: StoredUser[];
    private readonly clock: () => number;
    private readonly tokenSeconds: number;
    private readonly refreshSeconds: number;
    /** Verifies tokens against this authority's public key, as API Gateway's authorizer would. */
    readonly keySet: ReturnType<typeof createLocalJWKSet>;

    private constructor(
        readonly options: AuthorityOptions,
        private readonly privateKey: CryptoKey,
        /** The public keys, as served at /.well-known/jwks.json. */
        readonly jwks: JSONWebKeySet,
        private readonly kid: string,
    ) {
        this.users = options.users.map((u) => ({ ...u, sub: randomUUID() }));
        this.clock = options.clock ?? Date.now;
        this.tokenSeconds = options.tokenSeconds ?? 3600;
        this.refreshSeconds = options.refreshSeconds ?? 30 * 86400;
        this.codes = new ExpiringStore(STORE_CAPACITY, this.clock);
        this.refreshTokens = new ExpiringStore(STORE_CAPACITY, this.clock);
        this.revokedOrigins = new ExpiringStore(STORE_CAPACITY, this.clock);
        this.lockout = new Lockout(this.clock, this.users.map((u) => u.username.toLowerCase()));
        this.keySet = createLocalJWKSet(jwks);
    }

    static async create(options: AuthorityOptions): Promise<LocalAuthority> {
        const { privateKey, publicKey } = await generateKeyPair("RS256", { modulusLength: 2048 });
        const kid = randomUUID();
        const jwk = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
        return new LocalAuthority(options, privateKey, { keys: [jwk] }, kid);
    }

    get issuer(): string {
        return this.options.issuer;
    }

    /** The pool's app clients. */
    get clients(): readonly LocalClient[] {
        const { client, mcpClient, shadowClient } = this.options;
        return [client, ...(mcpClient === undefined ? [] : [mcpClient]), ...(shadowClient === undefined ? [] : [shadowClient])];
    }

    /** Serves the authority's endpoints; false when `url` is not one of them. */
    async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
        try {
            return await this.route(req, res, url);
        } catch (error) {
            if (!(error instanceof BodyTooLarge)) {
                throw error;
            }
            sendJson(res, 413, { error: "invalid_request", error_description: `The form is over ${FORM_LIMIT / 1024} KiB.` }, { Connection: "close" });
            closeSoon(req, res);
            return true;
        }
    }

    private async route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
        const route = `${req.method ?? ""} ${url.pathname}`;
        // The issuer's documents, at the issuer's path as Cognito serves them (cognito-idp), never at the host root.
        const issuerPath = new URL(this.issuer).pathname.replace(/\/$/, "");
        switch (route) {
            case `GET ${issuerPath}/.well-known/openid-configuration`:
                sendJson(res, 200, this.discovery());
                return true;
            case `GET ${issuerPath}/.well-known/jwks.json`:
                sendJson(res, 200, this.jwks);
                return true;
            case "GET /oauth2/authorize":
                this.authorize(res, url.searchParams, "/login");
                return true;
            case "GET /login":
                this.authorize(res, url.searchParams);
                return true;
            case "POST /login":
                await this.login(req, res);
                return true;
            case "POST /oauth2/token":
                await this.token(req, res);
                return true;
            case "POST /oauth2/revoke":
                await this.revoke(req, res);
                return true;
            case "GET /oauth2/userInfo":
            case "POST /oauth2/userInfo":
                await this.userInfo(req, res);
                return true;
            default:
                return false;
        }
    }

    /** RFC 8707 §2: a `resource` must name a resource server of the pool, else the request fails with invalid_target. */
    private knowsResource(resource: string): boolean {
        return (this.options.resources ?? []).includes(resource);
    }

    discovery(): object {
        // The hosted UI's endpoints live at the domain's root (Cognito's <prefix>.auth.<region>.amazoncognito.com).
        const base = new URL(this.issuer).origin;
        return {
            issuer: this.issuer,
            authorization_endpoint: `${base}/oauth2/authorize`,
            token_endpoint: `${base}/oauth2/token`,
            revocation_endpoint: `${base}/oauth2/revoke`,
            userinfo_endpoint: `${base}/oauth2/userInfo`,
            jwks_uri: `${this.issuer}/.well-known/jwks.json`,
            response_types_supported: ["code"],
            grant_types_supported: ["authorization_code", "refresh_token"],
            subject_types_supported: ["public"],
            id_token_signing_alg_values_supported: ["RS256"],
            scopes_supported: [...new Set(this.clients.flatMap((c) => c.scopes))],
            token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", ...(this.clients.some((c) => c.secret === undefined) ? ["none"] : [])],
            code_challenge_methods_supported: ["S256"],
        };
    }

    /** Signs `claims` with this authority's key. For tests and experiments: tokens the flow would never issue. */
    sign(claims: JWTPayload, header: { kid?: string } = {}): Promise<string> {
        return new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: header.kid ?? this.kid }).sign(this.privateKey);
    }

    /** Cognito's checks of an authorization request; errors before the redirect URI is trusted never redirect. */
    private checkRequest(params: URLSearchParams | Record<string, string>): Check<AuthorizationRequest> {
        const get = (k: string) => (params instanceof URLSearchParams ? params.get(k) : params[k]) ?? undefined;
        const clientId = get("client_id");
        const client = this.clients.find((c) => c.id === clientId);
        const redirectUri = get("redirect_uri");
        if (client === undefined || clientId === undefined) {
            return { ok: false, status: 400, error: "invalid_request", description: "Unknown client_id." };
        }
        if (redirectUri === undefined || !client.callbackUrls.includes(redirectUri)) {
            return { ok: false, status: 400, error: "redirect_mismatch", description: "redirect_uri is not one of the app client's callback URLs.", page: redirectMismatchPage(redirectUri, client.callbackKey ?? "callbackUrl") };
        }
        const state = get("state");
        const fail = (error: string, description: string): Check<AuthorizationRequest> => {
            const target = new URL(redirectUri);
            target.searchParams.set("error", error);
            target.searchParams.set("error_description", description);
            if (state !== undefined && state.length <= MAX_PARAM_CHARS) {
                target.searchParams.set("state", state);
            }
            return { ok: false, status: 302, error, description, redirectTo: target.toString() };
        };
        if (get("response_type") !== "code") {
            return fail("unsupported_response_type", "Only the authorization code grant is allowed.");
        }
        const requested = (get("scope") ?? "").split(" ").filter((s) => s !== "");
        const scopes = requested.length === 0 ? [...client.scopes] : requested;
        if (scopes.some((s) => !client.scopes.includes(s))) {
            return fail("invalid_scope", `Allowed scopes: ${client.scopes.join(" ")}.`);
        }
        const tooLong = ["state", "nonce"].find((key) => (get(key)?.length ?? 0) > MAX_PARAM_CHARS);
        if (tooLong !== undefined) {
            return fail("invalid_request", `${tooLong} is over ${MAX_PARAM_CHARS} characters.`);
        }
        const challenge = get("code_challenge");
        if (challenge !== undefined && get("code_challenge_method") !== "S256") {
            return fail("invalid_request", "code_challenge_method must be S256.");
        }
        if (challenge !== undefined && !CODE_CHALLENGE.test(challenge)) {
            return fail("invalid_request", "code_challenge must be 43 to 128 base64url characters (RFC 7636).");
        }
        if (challenge === undefined && client.pkceRequired === true) {
            return fail("invalid_request", "This client must use PKCE: send code_challenge and code_challenge_method=S256.");
        }
        const resource = get("resource");
        if (resource !== undefined && !this.knowsResource(resource)) {
            return fail("invalid_target", RESOURCE_UNKNOWN);
        }
        const request: Record<string, string> = { client_id: clientId, redirect_uri: redirectUri, response_type: "code", scope: scopes.join(" ") };
        for (const key of ["state", "nonce", "code_challenge", "code_challenge_method", "resource"]) {
            const value = get(key);
            if (value !== undefined) {
                request[key] = value;
            }
        }
        return { ok: true, value: request as unknown as AuthorizationRequest };
    }

    private refuse(res: ServerResponse, check: Extract<Check<unknown>, { ok: false }>): void {
        if (check.redirectTo !== undefined) {
            redirect(res, check.redirectTo);
        } else {
            sendHtml(res, check.status, check.page ?? errorPage(check.error, check.description));
        }
    }

    /** GET /oauth2/authorize sends the browser on to /login; GET /login shows the form. */
    private authorize(res: ServerResponse, params: URLSearchParams, next?: string): void {
        const check = this.checkRequest(params);
        if (!check.ok) {
            this.refuse(res, check);
        } else if (next !== undefined) {
            redirect(res, `${next}?${new URLSearchParams({ ...check.value }).toString()}`);
        } else {
            sendHtml(res, 200, loginPage({ ...check.value }), this.formTargets(check.value));
        }
    }

    /** The login form's redirect targets: the validated redirect URI, and wherever it sends the browser on. */
    private formTargets(request: AuthorizationRequest): readonly string[] {
        const onward = this.options.onwardRedirects?.({ redirectUri: request.redirect_uri, state: request.state }) ?? [];
        return [request.redirect_uri, ...onward];
    }

    private async login(req: IncomingMessage, res: ServerResponse): Promise<void> {
        const form = parseForm(await readBody(req, FORM_LIMIT));
        const refusal = crossSiteRefusal(req);
        if (refusal !== undefined) {
            sendHtml(res, 403, errorPage("cross_site_request", refusal));
            return;
        }
        const check = this.checkRequest(form);
        if (!check.ok) {
            this.refuse(res, check);
            return;
        }
        const request = check.value;
        const typed = (form.username ?? "").trim();
        const username = typed.toLowerCase();
        const again = (error: string) => sendHtml(res, 200, loginPage({ ...request }, { error, username: typed }), this.formTargets(request));
        if (username.length > MAX_USERNAME_LENGTH) {
            // No account can have it, so nothing to lock: refused before it becomes a lockout record.
            again("Incorrect username or password.");
            return;
        }
        if (!this.lockout.allows(username)) {
            again("Password attempts exceeded");
            return;
        }
        const user = this.users.find((u) => u.username.toLowerCase() === username);
        // Compare even for an unknown user, so timing does not reveal which usernames exist.
        const passwordOk = sameSecret(form.password ?? "", user?.password ?? randomUUID());
        if (user === undefined || !passwordOk) {
            this.lockout.failed(username);
            again("Incorrect username or password.");
            return;
        }
        this.lockout.succeeded(username);
        const code = base64Url(randomBytes(32));
        this.codes.set(code, {
            clientId: request.client_id,
            resource: request.resource,
            user,
            scopes: request.scope.split(" "),
            nonce: request.nonce,
            authTime: Math.floor(this.clock() / 1000),
            redirectUri: request.redirect_uri,
            challenge: request.code_challenge,
        }, this.clock() + CODE_MS);
        const target = new URL(request.redirect_uri);
        target.searchParams.set("code", code);
        if (request.state !== undefined) {
            target.searchParams.set("state", request.state);
        }
        redirect(res, target.toString());
    }

    /** The form of a token or revocation request and the client it authenticates, or undefined after answering the error. */
    private async clientForm(req: IncomingMessage, res: ServerResponse): Promise<{ form: Record<string, string>; client: LocalClient } | undefined> {
        const form = parseForm(await readBody(req, FORM_LIMIT));
        const auth = authenticateClient(req, form, this.clients);
        if (!auth.ok) {
            sendJson(res, auth.status, auth.body, auth.headers);
            return undefined;
        }
        return { form, client: auth.client };
    }

    private async token(req: IncomingMessage, res: ServerResponse): Promise<void> {
        const request = await this.clientForm(req, res);
        if (request === undefined) {
            return;
        }
        const { form, client } = request;
        const invalidGrant = (description: string) => sendJson(res, 400, { error: "invalid_grant", error_description: description });
        if (form.grant_type === "authorization_code") {
            const code = this.codes.get(form.code ?? "");
            // Single use: a code is spent by its first exchange, successful or not.
            this.codes.delete(form.code ?? "");
            // Cognito's token endpoint takes no `resource` ("The token issuer endpoint" lists none): the binding is the
            // authorization request's, kept on refresh. A `resource` in the form is ignored (RFC 6749 §3.2).
            const resource = code?.resource;
            if (code === undefined || code.clientId !== client.id) {
                invalidGrant("The code is unknown, used or expired.");
            } else if (form.redirect_uri !== code.redirectUri) {
                invalidGrant("redirect_uri differs from the authorization request's.");
            } else if (code.challenge !== undefined && (form.code_verifier === undefined ||
                base64Url(createHash("sha256").update(form.code_verifier).digest()) !== code.challenge)) {
                invalidGrant("code_verifier does not match the code_challenge.");
            } else if (code.challenge === undefined && form.code_verifier !== undefined) {
                // RFC 9700 §2.1.1: a verifier for a code issued without a challenge is a PKCE downgrade attempt.
                invalidGrant("code_verifier was sent, but the authorization request had no code_challenge.");
            } else {
                const grant: Grant = { clientId: client.id, user: code.user, scopes: code.scopes, nonce: code.nonce, authTime: code.authTime, originJti: randomUUID(), resource };
                const refreshToken = this.newRefreshToken(grant, this.clock() + this.refreshSeconds * 1000);
                sendJson(res, 200, { ...(await this.issue(grant)), refresh_token: refreshToken });
            }
        } else if (form.grant_type === "refresh_token") {
            const entry = this.liveRefreshToken(form.refresh_token ?? "");
            const grant = entry?.grant;
            if (entry === undefined || grant === undefined || grant.clientId !== client.id) {
                invalidGrant("The refresh token is unknown, expired or revoked.");
            } else {
                // Without rotation (Cognito's default) the answer has no refresh token; with it, a new one.
                const rotated = this.rotate(client, form.refresh_token ?? "", entry);
                sendJson(res, 200, { ...(await this.issue({ ...grant, nonce: undefined })), ...(rotated === undefined ? {} : { refresh_token: rotated }) });
            }
        } else {
            sendJson(res, 400, { error: "unsupported_grant_type", error_description: "Use authorization_code or refresh_token." });
        }
    }

    /** Stores a new refresh token for `grant`, valid until `expiresAt`. */
    private newRefreshToken(grant: Grant, expiresAt: number): string {
        const token = base64Url(randomBytes(48));
        this.refreshTokens.set(token, { grant, expiresAt }, expiresAt);
        return token;
    }

    /** The refresh token's entry while it works: not expired, not past its grace period, its sign-in not revoked. */
    private liveRefreshToken(token: string): RefreshEntry | undefined {
        const entry = this.refreshTokens.get(token);
        const origin = entry?.grant.originJti;
        if (entry === undefined || (entry.retiredAt !== undefined && entry.retiredAt <= this.clock())
            || (origin !== undefined && this.revokedOrigins.get(origin) !== undefined)) {
            this.refreshTokens.delete(token);
            return undefined;
        }
        return entry;
    }

    /**
     * Cognito's refresh token rotation, for a client that has it: a new refresh token with the sign-in's expiry, and
     * the one sent retired `retryGracePeriodSeconds` after its first use ("the original refresh token that you're
     * rotating out can remain valid for a period of time of up to 60 seconds. This allows for client-side retries";
     * 0 "immediately invalidates the submitted refresh token": RefreshTokenRotationType). Within the grace period the
     * old token is still valid, so a retry is answered like any refresh: new tokens and another new refresh token
     * (GetTokensFromRefreshToken: the token "is invalidated after the request is complete and after an optional
     * grace period"). Undefined for a client without rotation.
     */
    private rotate(client: LocalClient, token: string, entry: RefreshEntry): string | undefined {
        const rotation = client.refreshTokenRotation;
        if (rotation === undefined) {
            return undefined;
        }
        const now = this.clock();
        entry.retiredAt ??= now + rotation.retryGracePeriodSeconds * 1000;
        if (entry.retiredAt <= now) {
            this.refreshTokens.delete(token);
        }
        return this.newRefreshToken(entry.grant, entry.expiresAt);
    }

    /**
     * RFC 7009 revocation as Cognito serves it: the client authenticates; a refresh token and every token issued
     * from it are revoked; an unknown or already revoked token still gets 200 with an empty body; an access or ID
     * token gets unsupported_token_type.
     */
    private async revoke(req: IncomingMessage, res: ServerResponse): Promise<void> {
        const request = await this.clientForm(req, res);
        if (request === undefined) {
            return;
        }
        const { form, client } = request;
        const token = form.token ?? "";
        if (token === "") {
            sendJson(res, 400, { error: "invalid_request", error_description: "token is required." });
            return;
        }
        if (token.split(".").length === 3) {
            sendJson(res, 400, { error: "unsupported_token_type", error_description: "Only refresh tokens can be revoked." });
            return;
        }
        const entry = this.refreshTokens.get(token);
        const grant = entry?.grant;
        if (grant !== undefined && grant.clientId !== client.id) {
            // RFC 7009 §2.1: a client may revoke only its own tokens.
            sendJson(res, 400, { error: "invalid_request", error_description: "The token was issued to another client." });
            return;
        }
        this.refreshTokens.delete(token);
        if (entry !== undefined && grant?.originJti !== undefined) {
            // The whole sign-in ends: its access tokens at userInfo and, with rotation, every refresh token of the chain
            // ("also revokes the refresh token itself and all subsequent access and identity tokens": "The token
            // revocation endpoint"), so the marker lives as long as either could.
            this.revokedOrigins.set(grant.originJti, true, Math.max(this.clock() + this.tokenSeconds * 1000, entry.expiresAt));
        }
        res.writeHead(200, { "Cache-Control": "no-store", "Content-Length": "0" });
        res.end();
    }

    /** Access and ID tokens with Cognito's claims. */
    private async issue(grant: Grant): Promise<Record<string, unknown>> {
        const now = Math.floor(this.clock() / 1000);
        // Cognito puts a user's groups in both tokens as a JSON array, and leaves the claim out for a user in none
        // ("Adding groups to a user pool", "Understanding the access token", Cognito developer guide).
        const groups = grant.user.groups ?? [];
        const common = {
            sub: grant.user.sub, iss: this.issuer, iat: now, exp: now + this.tokenSeconds, auth_time: grant.authTime,
            ...(groups.length === 0 ? {} : { "cognito:groups": [...groups] }),
        };
        const originJti = grant.originJti ?? randomUUID();
        const accessToken = await this.sign({
            ...common,
            client_id: grant.clientId,
            // Cognito's resource binding: the token names the resource it was issued for.
            ...(grant.resource === undefined ? {} : { aud: grant.resource }),
            token_use: "access",
            scope: grant.scopes.join(" "),
            jti: randomUUID(),
            origin_jti: originJti,
            username: grant.user.sub,
        });
        const tokens: Record<string, unknown> = { access_token: accessToken, token_type: "Bearer", expires_in: this.tokenSeconds };
        if (grant.scopes.includes("openid")) {
            tokens.id_token = await this.sign({
                ...common,
                aud: grant.clientId,
                token_use: "id",
                email: grant.user.username,
                email_verified: true,
                "cognito:username": grant.user.sub,
                jti: randomUUID(),
                origin_jti: originJti,
                ...(grant.nonce === undefined ? {} : { nonce: grant.nonce }),
            });
        }
        return tokens;
    }

    private async userInfo(req: IncomingMessage, res: ServerResponse): Promise<void> {
        const token = req.headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
        const claims = token === undefined ? undefined : await this.verifyAccessToken(token);
        const revoked = typeof claims?.origin_jti === "string" && this.revokedOrigins.get(claims.origin_jti) !== undefined;
        if (claims === undefined || revoked || typeof claims.scope !== "string" || !claims.scope.split(" ").includes("openid")) {
            sendJson(res, 401, { error: "invalid_token", error_description: "Send an access token with the openid scope." },
                { "WWW-Authenticate": 'Bearer error="invalid_token"' });
            return;
        }
        const user = this.users.find((u) => u.sub === claims.sub);
        sendJson(res, 200, { sub: claims.sub, email: user?.username, email_verified: "true", username: claims.username });
    }

    /**
     * The claims of a valid access token of this authority, or undefined. A token that verified once is
     * remembered (the same bytes always verify the same way) and only its expiry is checked again, which
     * spares an RSA verification per request.
     */
    async verifyAccessToken(token: string): Promise<JWTPayload | undefined> {
        if (this.verified.has(token)) {
            return this.rememberedAccessToken(token);
        }
        try {
            const { payload } = await jwtVerify(token, this.keySet, {
                issuer: this.issuer,
                algorithms: ["RS256"],
                requiredClaims: ["exp"],
                currentDate: new Date(this.clock()),
            });
            if (payload.token_use !== "access") {
                return undefined;
            }
            if (this.verified.size >= VERIFIED_TOKENS_KEPT) {
                this.verified.clear();
            }
            this.verified.set(token, payload);
            return payload;
        } catch {
            return undefined;
        }
    }

    /** The claims of an access token already verified and not yet expired; undefined otherwise. Synchronous. */
    rememberedAccessToken(token: string): JWTPayload | undefined {
        // The last token asked about is compared first: a client reuses its token, and comparing two strings
        // costs far less than hashing a fresh 800-byte one for the map.
        let known = this.last?.token === token ? this.last.claims : undefined;
        if (known === undefined) {
            known = this.verified.get(token);
            if (known !== undefined) {
                this.last = { token, claims: known };
            }
        }
        return known !== undefined && (known.exp ?? 0) > this.clock() / 1000 ? known : undefined;
    }
}
