/**
 * An MCP client's OAuth state, the way ChatGPT's "user-defined OAuth client" works: a static, pre-registered
 * client (Cognito has no dynamic registration), tokens and the PKCE verifier kept in memory, and a user who
 * signs in when the SDK sends them to the authorization URL.
 */
import { randomBytes } from "node:crypto";
import { createPrivateKeyJwtAuth } from "@modelcontextprotocol/sdk/client/auth-extensions.js";
import { UnauthorizedError, type OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";
import type { FetchLike } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JWK } from "jose";

export class StaticClientProvider implements OAuthClientProvider {
    /** Every authorization URL the SDK built, in order. */
    readonly authorizationUrls: URL[] = [];
    /** The code of the last sign-in; the test hands it to `transport.finishAuth`. */
    code: string | undefined;
    /** The RFC 9207 `iss` of each authorization response, in order (null where there was none). */
    readonly issuers: Array<string | null> = [];
    /** The last authorization response's query (code, state, iss), which the SDK v2 client's finishAuth takes whole. */
    callbackParams = new URLSearchParams();
    private savedTokens: OAuthTokens | undefined;
    private verifier = "";
    private lastState = "";

    /**
     * `signIn` plays the user at the authorization URL and returns where the server redirected the browser
     * back to (the callback with `code` and `state`, or `error`).
     */
    constructor(
        private readonly client: { readonly client_id: string; readonly client_secret?: string },
        private readonly callbackUrl: string,
        private readonly signIn: (authorizationUrl: URL) => Promise<URL>,
    ) {}

    get redirectUrl(): string {
        return this.callbackUrl;
    }

    get clientMetadata(): OAuthClientMetadata {
        return {
            redirect_uris: [this.callbackUrl],
            client_name: "gpt-action tests",
            grant_types: ["authorization_code", "refresh_token"],
            response_types: ["code"],
            token_endpoint_auth_method: this.client.client_secret === undefined ? "none" : "client_secret_basic",
        };
    }

    state(): string {
        this.lastState = randomBytes(16).toString("base64url");
        return this.lastState;
    }

    /** Pre-registered: no saveClientInformation, so the SDK never tries dynamic registration. */
    clientInformation(): OAuthClientInformationMixed {
        return { ...this.client };
    }

    tokens(): OAuthTokens | undefined {
        return this.savedTokens;
    }

    saveTokens(tokens: OAuthTokens): void {
        this.savedTokens = tokens;
    }

    /** Replaces the access token, e.g. with one the server no longer accepts, keeping the refresh token. */
    replaceAccessToken(accessToken: string): void {
        if (this.savedTokens === undefined) {
            throw new Error("no tokens yet");
        }
        this.savedTokens = { ...this.savedTokens, access_token: accessToken };
    }

    async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
        this.authorizationUrls.push(authorizationUrl);
        const back = await this.signIn(authorizationUrl);
        this.issuers.push(back.searchParams.get("iss"));
        this.callbackParams = back.searchParams;
        if (back.searchParams.get("state") !== this.lastState) {
            throw new Error("the callback's state differs from the request's");
        }
        const error = back.searchParams.get("error");
        if (error !== null) {
            throw new Error(`authorization refused: ${error}: ${back.searchParams.get("error_description") ?? ""}`);
        }
        this.code = back.searchParams.get("code") ?? undefined;
    }

    saveCodeVerifier(codeVerifier: string): void {
        this.verifier = codeVerifier;
    }

    codeVerifier(): string {
        return this.verifier;
    }
}

/**
 * A client that authenticates with private_key_jwt (RFC 7523 §2.2), as ChatGPT's document asks: StaticClientProvider's
 * sign-in, plus an assertion signed with `privateKey` (RS256, iss = sub = its client_id URL) that the SDK adds to every
 * token request through its `addClientAuthentication` hook, with the SDK's own createPrivateKeyJwtAuth (jose).
 */
export class PrivateKeyJwtClientProvider extends StaticClientProvider {
    readonly addClientAuthentication;

    constructor(clientId: string, privateKey: JWK, callbackUrl: string, signIn: (authorizationUrl: URL) => Promise<URL>) {
        super({ client_id: clientId }, callbackUrl, signIn);
        this.addClientAuthentication = createPrivateKeyJwtAuth({ issuer: clientId, subject: clientId, privateKey, alg: "RS256" });
    }
}

/**
 * Connects the official SDK client to `mcpUrl` as `provider`, from the URL alone: the first attempt is refused and
 * sends the user to sign in (anything else, such as a navigation a browser blocked, is thrown as the failure it is);
 * the transport that started the sign-in finishes it with the code (it knows the metadata it discovered); the second
 * connects. `fetch` sees every request the SDK makes, token requests included.
 */
export async function connectAfterSignIn(mcpUrl: URL, provider: OAuthClientProvider & { readonly code: string | undefined }, fetch?: FetchLike): Promise<Client> {
    const first = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider, fetch });
    let refused: unknown;
    try {
        await new Client({ name: "gpt-action-tests", version: "1.0.0" }).connect(first);
    } catch (error) {
        refused = error;
    }
    if (!(refused instanceof UnauthorizedError)) {
        throw refused instanceof Error ? refused : new Error(`expected a sign-in, got ${String(refused)}`);
    }
    await first.finishAuth(provider.code ?? "");
    const client = new Client({ name: "gpt-action-tests", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider, fetch }));
    return client;
}
