/**
 * Local mode: one HTTP server on 127.0.0.1 with a Cognito-shaped OAuth server and the API behind an emulated
 * API Gateway, built from the same route table and stack config as the deployed stack, calling the real handler.
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { handler } from "../handler";
import { createFacadeHandler } from "../handler/facade";
import { clientIdPatternProblem, isAllowedClientId } from "../handler/facade/clientIdPatterns";
import { facadeUrls, issuerUrl } from "../handler/facade/paths";
import { facadeSettings as keyedFacadeSettings } from "../handler/facade/settings";
import { logSink } from "../handler/log";
import { routeList } from "../handler/routes";
import { parseConfig, TOKEN_EXCHANGE_METHOD, type ActionConfig } from "../infra/config";
import { openApiSchemaText } from "../infra/openapi";
import { refreshTokenRotation } from "../infra/refreshTokens";
import { projectFile } from "../infra/stackFiles";
import type { StackOutputs } from "../scripts/outputs";
import { createGateway, type Handler } from "./gateway";
import { facadeOnwardRedirects } from "./facadeOnward";
import { failed, sendHtml, sendJson } from "./http";
import { mcpSurface } from "./mcpSurface";
import { LocalAuthority } from "./oauth";
import { nextStep } from "./callbackNext";
import { callbackPage } from "./pages";
import { readStackConfig, stackFilePath } from "./stackConfig";

export interface LocalOptions {
    /** Port on 127.0.0.1; 0 picks a free one. Default: 4000. */
    readonly port?: number;
    /** The stack whose Pulumi.<stack>.yaml supplies stage, scopes, CORS, callback URLs and token lifetimes. Default: dev. */
    readonly stack?: string;
    /** A stack config file to read instead of the stack's (tests use fixtures, never the user's stack). */
    readonly stackFile?: string;
    /** Config values that override the stack's (unqualified keys, as `pulumi config set` takes them). */
    readonly config?: Readonly<Record<string, string>>;
    /** Default: gpt-action-local. */
    readonly clientId?: string;
    /** Default: generated at start. */
    readonly clientSecret?: string;
    /** The MCP client's id. Default: gpt-action-local-mcp. */
    readonly mcpClientId?: string;
    /** The MCP client's secret, unless the stack makes it public (mcpPublicClient). Default: generated at start. */
    readonly mcpClientSecret?: string;
    /** The test user's email. Default: test@example.com. */
    readonly username?: string;
    /** Default: generated at start. */
    readonly password?: string;
    /** The function behind the API. Default: handler/index.ts's handler. */
    readonly handler?: Handler;
    /** Milliseconds since the epoch, for tests that expire codes and tokens. Default: Date.now. */
    readonly clock?: () => number;
    /** The OAuth facade's CIMD allow-list: HTTPS client_id URLs or patterns (the stack's mcpClientMetadataUrls). Default: the stack's. */
    readonly clientMetadataUrls?: readonly string[];
    /**
     * Tests and local mode's LOCAL_CLIENT_METADATA_URLS only; never a config key, and nothing a deployed stack can
     * express: `http://127.0.0.1:<port>/…` client_id URLs whose documents a test (or you, on your machine) serves, or
     * patterns of them, `*` standing for one path segment as in the allow-list's. They join the allow-list, and only
     * they (and the jwks_uri a private_key_jwt document names, on its own origin) are fetched without the HTTPS and
     * public-address checks that every other document and key set URL must pass.
     */
    readonly testClientMetadataUrls?: readonly string[];
}

/** The stack outputs' keys, with local values, plus the test user. */
export interface LocalOutputs extends StackOutputs {
    readonly tokenExchangeMethod: string;
    readonly testUser: { readonly username: string; readonly password: string };
}

export interface LocalServer {
    readonly baseUrl: string;
    readonly outputs: LocalOutputs;
    readonly config: ActionConfig;
    readonly authority: LocalAuthority;
    /** The stack config file it read. */
    readonly stackFile: string;
    /** Config paths whose secret values it left out (it cannot decrypt them, and needs none). */
    readonly ignoredSecrets: readonly string[];
    /** The OAuth facade in front of the authority, when MCP is on. */
    readonly facade?: {
        readonly callbackUrl: string;
        readonly shadowClientId: string;
        /** The allow-list it serves, test URLs included. */
        readonly clientMetadataUrls: readonly string[];
    };
    close(): Promise<void>;
}

/** A random password that meets the deployed pool's policy (upper, lower, digit, symbol, ≥ 8). */
function generatedPassword(): string {
    return `${randomBytes(12).toString("base64url")}Aa1!`;
}

export async function startLocal(options: LocalOptions = {}): Promise<LocalServer> {
    const stack = options.stack ?? "dev";
    const stackFile = options.stackFile ?? stackFilePath(stack);
    const project = projectFile().name;
    const fromFile = readStackConfig(stackFile, project);
    const config = parseConfig({ ...fromFile.values, ...options.config }, project, stack);
    const testClientMetadataUrls = loopbackTestUrls(options.testClientMetadataUrls ?? []);
    const server: Server = createServer();
    const wanted = options.port ?? 4000;
    await new Promise<void>((resolve, reject) => {
        server.once("error", (error: NodeJS.ErrnoException) => reject(error.code === "EADDRINUSE"
            ? new Error(`Port ${wanted} on 127.0.0.1 is in use: set PORT to another port (PORT=0 picks a free one).`)
            : error));
        server.listen(wanted, "127.0.0.1", () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const baseUrl = `http://127.0.0.1:${port}`;

    const clientId = options.clientId ?? "gpt-action-local";
    const clientSecret = options.clientSecret ?? randomBytes(24).toString("base64url");
    const testUser = { username: options.username ?? "test@example.com", password: options.password ?? generatedPassword() };
    // The deployed test user joins testUserGroups (infra/auth.ts); so does local mode's.
    const testUserGroups = config.testUserGroups;
    const localCallback = `http://localhost:${port}/callback`;
    const callbackUrls = [localCallback, ...(config.awaitingCallbackUrl ? [] : config.callbackUrls)];
    const apiUrl = `${baseUrl}/${config.stageName}`;
    // Cognito's issuer is https://cognito-idp.<region>.amazonaws.com/<pool id>, another host than the hosted UI's; on
    // one origin here, the issuer (its discovery document and keys) sits under the pool id's path, so that a client
    // guessing metadata at the host root finds nothing, as it would on AWS.
    const issuer = `${baseUrl}/${LOCAL_USER_POOL_ID}`;
    const facadeCallback = facadeUrls(apiUrl).callback;
    const mcp = config.mcp === undefined ? undefined : {
        // The metadata points MCP clients at the OAuth facade, which serves CIMD and static clients alike.
        surface: mcpSurface(apiUrl, issuer),
        clientId: options.mcpClientId ?? "gpt-action-local-mcp",
        clientSecret: config.mcp.publicClient ? undefined : options.mcpClientSecret ?? randomBytes(24).toString("base64url"),
        callbackUrls: [...new Set([localCallback, ...INSPECTOR_CALLBACK_URLS, ...config.mcp.callbackUrls])],
    };
    const authority = await LocalAuthority.create({
        issuer,
        client: { id: clientId, secret: clientSecret, callbackUrls, scopes: config.scopes },
        // The MCP client may get the MCP scope only, and must use PKCE (MCP 2025-11-25, Authorization).
        // As deployed, its one callback here is the facade's: the facade checks the client's own redirect URIs
        // (exactly, with PKCE S256) and answers with `iss`.
        // Public clients rotate their refresh tokens, as the deployed pool's (infra/refreshTokens.ts).
        mcpClient: mcp === undefined ? undefined : {
            id: mcp.clientId, secret: mcp.clientSecret, callbackUrls: [facadeCallback], scopes: [mcp.surface.scope], pkceRequired: true, callbackKey: "mcpCallbackUrl",
            refreshTokenRotation: refreshTokenRotation(mcp.clientSecret === undefined),
        },
        shadowClient: mcp === undefined ? undefined : {
            id: SHADOW_CLIENT_ID, callbackUrls: [facadeCallback], scopes: [mcp.surface.scope], pkceRequired: true, refreshTokenRotation: refreshTokenRotation(true),
        },
        // The MCP resource server's identifier, the one `resource` Cognito binds tokens to.
        resources: mcp === undefined ? [] : [mcp.surface.serverUrl],
        users: [{ ...testUser, groups: testUserGroups }],
        tokenSeconds: config.accessTokenMinutes * 60,
        refreshSeconds: config.refreshTokenDays * 86400,
        clock: options.clock,
        // The facade is built below; its settings are read when a login page is served.
        onwardRedirects: facadeOnwardRedirects(() => facade?.settings, options.clock),
    });

    // Lambda ships each log line on its own; a local server under load would spend a quarter of its time in
    // write(2) doing that, so lines are gathered and written every 20 ms (and on close).
    const pending: string[] = [];
    const flush = () => {
        if (pending.length > 0) {
            process.stdout.write(`${pending.splice(0).join("\n")}\n`);
        }
    };
    const sink = logSink.write;
    logSink.write = (line) => {
        if (pending.push(line) === 1) {
            setTimeout(flush, 20).unref();
        }
    };

    // What the infrastructure puts in the function's environment.
    process.env.APP_CLIENT_ID = clientId;
    if (mcp === undefined) {
        delete process.env.MCP_CLIENT_ID;
        delete process.env.MCP_SHADOW_CLIENT_ID;
    } else {
        process.env.MCP_CLIENT_ID = mcp.clientId;
        process.env.MCP_SHADOW_CLIENT_ID = SHADOW_CLIENT_ID;
    }
    if (config.corsAllowOrigin === undefined) {
        delete process.env.CORS_ALLOW_ORIGIN;
    } else {
        process.env.CORS_ALLOW_ORIGIN = config.corsAllowOrigin;
    }
    // The same facade code as the deployed function, its settings through the same checks; the key handed over
    // directly (the deployed function reads it from Secrets Manager), so local mode needs no AWS.
    const facadeSettings = mcp === undefined ? undefined : keyedFacadeSettings({
        apiUrl,
        cognito: { authorizationEndpoint: `${baseUrl}/oauth2/authorize`, tokenEndpoint: `${baseUrl}/oauth2/token`, revocationEndpoint: `${baseUrl}/oauth2/revoke` },
        shadowClientId: SHADOW_CLIENT_ID,
        clientMetadataUrls: options.clientMetadataUrls ?? config.mcp?.mcpClientMetadataUrls,
        staticClients: { [mcp.clientId]: mcp.callbackUrls },
    }, randomBytes(32));
    const facade = facadeSettings === undefined ? undefined : {
        settings: { ...facadeSettings, clientMetadataUrls: [...facadeSettings.clientMetadataUrls, ...testClientMetadataUrls] },
    };
    const routes = routeList();
    const gateway = createGateway({
        stageName: config.stageName,
        routes,
        scopes: config.scopes,
        corsAllowOrigin: config.corsAllowOrigin,
        verifyAccessToken: (token) => authority.verifyAccessToken(token),
        rememberedAccessToken: (token) => authority.rememberedAccessToken(token),
        handler: options.handler ?? handler,
        lambdaTimeoutSeconds: config.lambdaTimeout,
        mcp: mcp?.surface,
        facade: facade === undefined ? undefined : createFacadeHandler(facade.settings, {
            clock: options.clock,
            fetchOptions: (url) => (isAllowedClientId(testClientMetadataUrls, url) ? { allowLoopbackHttp: true } : {}),
        }),
    });

    server.on("request", (req, res) => {
        // A page that rebinds its own DNS name to 127.0.0.1 reaches this port under a foreign Host; local mode answers
        // only the loopback names it listens on (MCP 2025-11-25, Transports › Security Warning, DNS rebinding).
        if (!isLoopbackHost(req.headers.host)) {
            sendJson(res, 403, { message: "Forbidden: local mode answers only requests to localhost, 127.0.0.1 or [::1]" });
            return;
        }
        // The API first, and without a URL object: it is the path that takes load.
        try {
            if (gateway(req, res, req.url ?? "/")) {
                return;
            }
        } catch {
            failed(res);
            return;
        }
        const url = new URL(req.url ?? "/", baseUrl);
        void (async () => {
            if (await authority.handle(req, res, url)) {
                return;
            }
            if (req.method === "GET" && url.pathname === "/callback") {
                sendHtml(res, 200, callbackPage(url.searchParams, nextStep(url.searchParams, {
                    tokenUrl: `${baseUrl}/oauth2/token`, clientId, callbackUrl: localCallback,
                    facade: mcp === undefined ? undefined : { issuer: issuerUrl(apiUrl), tokenUrl: facadeUrls(apiUrl).token },
                })));
                return;
            }
            sendJson(res, 404, { message: "Not Found" });
        })().catch(() => failed(res));
    });

    return {
        baseUrl,
        config,
        authority,
        stackFile,
        ignoredSecrets: fromFile.ignoredSecrets,
        ...(facade === undefined ? {} : {
            facade: { callbackUrl: facadeCallback, shadowClientId: SHADOW_CLIENT_ID, clientMetadataUrls: facade.settings.clientMetadataUrls },
        }),
        outputs: {
            apiUrl,
            authorizationUrl: `${baseUrl}/oauth2/authorize`,
            tokenUrl: `${baseUrl}/oauth2/token`,
            clientId,
            clientSecret,
            scope: config.chatGptScope,
            tokenExchangeMethod: TOKEN_EXCHANGE_METHOD,
            openApiSchema: openApiSchemaText(routes, apiUrl),
            callbackUrls,
            ...(mcp === undefined ? {} : {
                mcpServerUrl: mcp.surface.serverUrl,
                mcpClientId: mcp.clientId,
                ...(mcp.clientSecret === undefined ? {} : { mcpClientSecret: mcp.clientSecret }),
                mcpCallbackUrls: mcp.callbackUrls,
            }),
            testUser,
        },
        close: () => new Promise<void>((resolve) => {
            flush();
            logSink.write = sink;
            server.closeAllConnections();
            server.close(() => resolve());
        }),
    };
}

/**
 * The MCP Inspector's default callbacks (`npx @modelcontextprotocol/inspector`): its web UI's on port 6274 (and its
 * debugger's), its CLI's and TUI's on 127.0.0.1:6276. Local mode registers them for its MCP client, so that the
 * Inspector signs in with no config; a deployed stack registers only what mcpCallbackUrl(s) name.
 */
export const INSPECTOR_CALLBACK_URLS = [
    "http://localhost:6274/oauth/callback",
    "http://localhost:6274/oauth/callback/debug",
    "http://127.0.0.1:6276/oauth/callback",
];

/** Local mode's user pool id, shaped like Cognito's (`<region>_<id>`): the path of its issuer. */
export const LOCAL_USER_POOL_ID = "local_gptaction";

/** The facade's shadow app client in local mode's pool. */
const SHADOW_CLIENT_ID = "gpt-action-local-facade";

/**
 * The test switch's entries, each an http URL on 127.0.0.1 with a path, or a pattern of the shape the allow-list
 * takes (with a port, `*` one whole path segment), matched by the deployed matcher (clientIdPatterns.ts); anything
 * else is a mistake worth stopping for.
 */
function loopbackTestUrls(urls: readonly string[]): readonly string[] {
    for (const url of urls) {
        const parsed = URL.canParse(url) ? new URL(url) : undefined;
        // A pattern names its port and is held to the rules of an https one, the test-only scheme aside.
        const shapeProblem = !url.includes("*") ? undefined : /^http:\/\/127\.0\.0\.1:\d{1,5}\//.test(url)
            ? clientIdPatternProblem(`https://${url.slice("http://".length)}`) : "must name 127.0.0.1 and a port";
        if (parsed?.protocol !== "http:" || parsed.hostname !== "127.0.0.1" || parsed.pathname === "/" || shapeProblem !== undefined) {
            throw new Error(`testClientMetadataUrls takes only http://127.0.0.1:<port>/<path> URLs or patterns such as http://127.0.0.1:<port>/oauth/*/client.json `
                + `(LOCAL_CLIENT_METADATA_URLS in local mode); got ${JSON.stringify(url)}${shapeProblem === undefined ? "" : `: it ${shapeProblem}`}`);
        }
    }
    return urls;
}

/** True for a Host header naming a loopback address (any port), or none at all (HTTP/1.0). */
function isLoopbackHost(host: string | undefined): boolean {
    if (host === undefined) {
        return true;
    }
    const name = host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.split(":")[0];
    return name === "localhost" || name === "127.0.0.1" || name === "[::1]";
}
