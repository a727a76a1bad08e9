/** CognitoAuth: the OAuth 2.0 authorization server ChatGPT signs users in with. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { aliasRecords, hostedZoneId, validatedCertificate } from "./certificates";
import type { CustomHost } from "./config";
import type { IdentityProviderConfig } from "./identityProviders";
import { facadeUrls } from "../handler/facade/paths";
import { MCP_SCOPE_NAME, mcpServerUrl } from "./mcpMetadata";
import { AUTH_FLOWS, ROTATING_AUTH_FLOWS, refreshTokenRotation } from "./refreshTokens";

export interface CognitoAuthArgs {
    /** Exact redirect URIs the app client accepts. Cognito needs at least one when OAuth is on. */
    readonly callbackUrls: pulumi.Input<pulumi.Input<string>[]>;
    /** OAuth scopes the app client may grant. Default: openid, email, profile. */
    readonly scopes?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * The hosted-UI domain prefix (`<prefix>.auth.<region>.amazoncognito.com`). Default: `domainPrefixBase`
     * followed by a random suffix that stays the same for the life of the stack.
     */
    readonly domainPrefix?: pulumi.Input<string>;
    /**
     * Start of the derived domain prefix, used only when `domainPrefix` is unset: at most 56 lower-case letters,
     * digits and hyphens, without "aws", "amazon" or "cognito". Default: the component's name.
     */
    readonly domainPrefixBase?: string;
    /** Creates this user, without emailing it, with a generated temporary password. Default: no user. */
    readonly testUserEmail?: pulumi.Input<string>;
    /** Groups of the pool the test user joins; each must be in `groups`. Default: none. */
    readonly testUserGroups?: readonly string[];
    /**
     * The Cognito groups the route table names (a route's `groups`): one user group each, which the handler reads back
     * from the access token's `cognito:groups`. Default: none.
     */
    readonly groups?: readonly string[];
    /** Sign-in with an authenticator app (TOTP): "off", "optional" or "on". Default: "optional". */
    readonly mfa?: pulumi.Input<"off" | "optional" | "on">;
    /** Refuses to delete the user pool while on. Default: false. */
    readonly deletionProtection?: pulumi.Input<boolean>;
    /** Lifetime of access and ID tokens in minutes (5-1440). Default: 60. */
    readonly accessTokenMinutes?: pulumi.Input<number>;
    /** Lifetime of refresh tokens in days (1-3650). Default: 30. */
    readonly refreshTokenDays?: pulumi.Input<number>;
    /** Cognito threat protection, which needs the Plus feature plan. Default: false. */
    readonly threatProtection?: pulumi.Input<boolean>;
    /**
     * Serves the hosted UI on this host of a Route 53 zone (a certificate in us-east-1, as Cognito requires, and an
     * alias records) instead of a prefix domain. The host's parent (the host minus its first label: `gpt.example.com`
     * for `login.gpt.example.com`) must have a DNS A record, or Cognito refuses the domain ("Custom domain is not a
     * valid subdomain", Troubleshoot Amazon Cognito). Default: a `<prefix>.auth.<region>.amazoncognito.com` domain.
     */
    readonly customDomain?: CustomHost;
    /** OIDC or SAML providers offered on the hosted UI. Default: none. */
    readonly identityProviders?: readonly IdentityProviderConfig[];
    /** Whether the hosted UI also signs in the pool's own users. Default: true. */
    readonly localUsers?: boolean;
    /** The MCP surface's OAuth side: a resource server and an app client for MCP clients. Default: none. */
    readonly mcp?: McpAuthArgs;
}

export interface McpAuthArgs {
    /**
     * The API's base URL. The MCP server's URL under it, RFC 9728's `resource`, names the resource server, so that
     * Cognito accepts the RFC 8707 `resource` parameter MCP clients send and binds the access token to it; the OAuth
     * facade's callback under it is the only redirect URI of the MCP clients at Cognito.
     */
    readonly apiUrl: pulumi.Input<string>;
    /** No client secret (PKCE only) when true. Default: false, a confidential client with a secret. */
    readonly publicClient?: boolean;
}

export { MCP_SCOPE_NAME };

/**
 * The login pages' generation, set on purpose rather than left to the API: 2, managed login (1 is the classic hosted
 * UI). It needs a feature plan other than Lite (the pool is Essentials or Plus) and a style per app client, which
 * every client made here gets. Sources: docs/deploy-readiness-auth.md.
 */
export const MANAGED_LOGIN_VERSION = 2;

/**
 * The `providerDetails` keys Cognito fills in for a SAML provider from its metadata (DescribeIdentityProvider's SAML
 * "Describe response", CreateIdentityProvider API reference), never sent by this program; the provider suppresses
 * only some of them (terraform-provider-aws `isReadOnlyOrDefaultIdentityProviderDetail`), so each would show as a
 * diff on every preview (review 2026-11-30 P2). Ignored by key, in Pulumi's property-path syntax (Pulumi docs,
 * "Property Paths"), so that a change to `MetadataURL` still updates the provider.
 */
export const SAML_FILLED_DETAIL_KEYS = ["ActiveEncryptionCertificate", "SLORedirectBindingURI", "SSORedirectBindingURI"] as const;
const SAML_FILLED_DETAIL_PATHS = SAML_FILLED_DETAIL_KEYS.map((key) => `providerDetails["${key}"]`);

/**
 * User pool inputs sent when the pool is created and never after (review 2026-11-30, H1). The provider replaces the
 * pool when `usernameConfiguration.caseSensitive` changes (terraform-provider-aws `cognitoidp/user_pool.go`:
 * `case_sensitive` ForceNew), and a replaced pool loses its users; a pool made before this setting has none (so
 * case-sensitive usernames) and keeps it. Ignored changes are still sent on create (Pulumi docs, "ignoreChanges").
 */
export const USER_POOL_CREATE_ONLY = ["usernameConfiguration"] as const;

/** Characters of Cognito's password-policy symbol set that are also safe to paste into a shell. */
const PASSWORD_SYMBOLS = "!#%&*()-_=+[]{}<>:?";

export class CognitoAuth extends pulumi.ComponentResource {
    public readonly userPool: aws.cognito.UserPool;
    public readonly client: aws.cognito.UserPoolClient;
    public readonly domain: aws.cognito.UserPoolDomain;
    /** The app client's secret, as a Pulumi secret. */
    public readonly clientSecret: pulumi.Output<string>;
    /** ChatGPT's "Authorization URL". */
    public readonly authorizationUrl: pulumi.Output<string>;
    /** ChatGPT's "Token URL". */
    public readonly tokenUrl: pulumi.Output<string>;
    /** The test user's temporary password, as a Pulumi secret; undefined when no test user is made. */
    public readonly testUserTemporaryPassword?: pulumi.Output<string>;
    /** Cognito's token revocation endpoint (RFC 7009). */
    public readonly revocationUrl: pulumi.Output<string>;
    /** The pool's signing keys (JWKS). */
    public readonly jwksUrl: pulumi.Output<string>;
    /** The MCP app client; undefined without `mcp`. */
    public readonly mcpClient?: aws.cognito.UserPoolClient;
    /** Its secret, as a Pulumi secret; undefined without `mcp` or for a public client. */
    public readonly mcpClientSecret?: pulumi.Output<string>;
    /** The scope the MCP endpoint requires, e.g. https://…/Prod/mcp/tools; undefined without `mcp`. */
    public readonly mcpScope?: pulumi.Output<string>;
    /** The public client that clients with a Client ID Metadata Document sign in through; undefined without `mcp`. */
    public readonly mcpCimdClient?: aws.cognito.UserPoolClient;
    /** The pool's groups, one per group the route table names, by name. */
    public readonly groups: Readonly<Record<string, aws.cognito.UserGroup>>;

    /**
     * A user pool that only administrators add users to, an OAuth app client for ChatGPT (authorization-code
     * grant with a client secret), and the hosted-UI domain that serves the login page.
     */
    constructor(name: string, args: CognitoAuthArgs, opts?: pulumi.ComponentResourceOptions) {
        // Args stay off the component's own inputs, so a preview shows only the child that really changes.
        super("gpt-action:auth:CognitoAuth", name, {}, opts);

        const mfa = pulumi.output(args.mfa ?? "optional");
        const threatProtection = pulumi.output(args.threatProtection ?? false);
        // Users sign in by email; only administrators create them (the cookbook's pool lets anyone sign up).
        this.userPool = new aws.cognito.UserPool(`${name}-pool`, {
            usernameAttributes: ["email"],
            // Jane@Example.com and jane@example.com are one user, as AWS advises ("For most use cases, set case
            // sensitivity to False", UsernameConfigurationType, Cognito API reference); the API's default is true.
            usernameConfiguration: { caseSensitive: false },
            autoVerifiedAttributes: ["email"],
            adminCreateUserConfig: { allowAdminCreateUserOnly: true },
            mfaConfiguration: mfa.apply((m) => m.toUpperCase()),
            // None with MFA off: the provider then never calls SetUserPoolMfaConfig and reads no block back, so
            // `{ enabled: false }` would be a diff on every preview (review 2026-11-30 P3; terraform-provider-aws
            // cognitoidp/user_pool.go; userPool.d.ts: "Effective only when mfaConfiguration is ON or OPTIONAL").
            softwareTokenMfaConfiguration: mfa.apply((m) => (m === "off" ? undefined : { enabled: true })),
            deletionProtection: pulumi.output(args.deletionProtection ?? false).apply((on) => (on ? "ACTIVE" : "INACTIVE")),
            // Recovery codes go to the verified email only: an SMS fallback would make the phone the weak link.
            accountRecoverySetting: { recoveryMechanisms: [{ name: "verified_email", priority: 1 }] },
            // Threat protection is a Plus-tier feature; Essentials is Cognito's default plan.
            userPoolTier: threatProtection.apply((on) => (on ? "PLUS" : "ESSENTIALS")),
            userPoolAddOns: threatProtection.apply((on) => ({ advancedSecurityMode: on ? "ENFORCED" : "OFF" })),
            passwordPolicy: {
                minimumLength: 8,
                requireLowercase: true,
                requireUppercase: true,
                requireNumbers: true,
                requireSymbols: true,
                temporaryPasswordValidityDays: 7,
            },
        }, { parent: this, ignoreChanges: [...USER_POOL_CREATE_ONLY] });

        const providers = (args.identityProviders ?? []).map((idp) => new aws.cognito.IdentityProvider(`${name}-idp-${idp.name}`, {
            userPoolId: this.userPool.id,
            providerName: idp.name,
            providerType: idp.type === "oidc" ? "OIDC" : "SAML",
            providerDetails: idp.type === "oidc"
                ? pulumi.secret({
                    client_id: idp.clientId,
                    client_secret: idp.clientSecret,
                    oidc_issuer: idp.issuer,
                    authorize_scopes: idp.scopes.join(" "),
                    attributes_request_method: "GET",
                })
                : { MetadataURL: idp.metadataUrl },
            attributeMapping: idp.attributeMapping,
        }, {
            parent: this,
            deleteBeforeReplace: true,
            ...(idp.type === "saml" ? { ignoreChanges: SAML_FILLED_DETAIL_PATHS } : {}),
        }));
        // Provider names come from the providers, so the client waits for them to exist.
        const identityProviders = pulumi.all(providers.map((p) => p.providerName))
            .apply((names) => [...((args.localUsers ?? true) ? ["COGNITO"] : []), ...names]);

        // A pool holds one domain of each kind: a new one can only be made once the old one is gone.
        const domainOptions = { parent: this, deleteBeforeReplace: true };
        let hostedUi: pulumi.Output<string>;
        if (args.customDomain === undefined) {
            const prefix = args.domainPrefix ?? new random.RandomString(`${name}-domain-suffix`, {
                length: 6,
                // Digits only: letters could spell "aws", which Cognito refuses in a prefix.
                lower: false,
                upper: false,
                special: false,
            }, { parent: this }).result.apply((suffix) => `${args.domainPrefixBase ?? name}-${suffix}`);
            this.domain = new aws.cognito.UserPoolDomain(`${name}-domain`, {
                domain: prefix,
                userPoolId: this.userPool.id,
                managedLoginVersion: MANAGED_LOGIN_VERSION,
            }, domainOptions);
            hostedUi = pulumi.interpolate`https://${this.domain.domain}.auth.${this.domain.region}.amazoncognito.com`;
        } else {
            const { host, zone } = args.customDomain;
            const zoneId = hostedZoneId(zone, args.customDomain.hostedZoneId, this);
            // Cognito serves custom domains through CloudFront, which takes certificates from us-east-1 only.
            this.domain = new aws.cognito.UserPoolDomain(`${name}-domain`, {
                domain: host,
                certificateArn: validatedCertificate(`${name}-auth`, host, zoneId, this, "us-east-1"),
                userPoolId: this.userPool.id,
                managedLoginVersion: MANAGED_LOGIN_VERSION,
            }, domainOptions);
            aliasRecords(`${name}-auth`, host, zoneId, {
                name: this.domain.cloudfrontDistribution,
                zoneId: this.domain.cloudfrontDistributionZoneId,
            }, this);
            hostedUi = pulumi.output(`https://${host}`);
        }

        /**
         * An authorization-code client of the pool for `scopes`, signing users in through the hosted UI, with the
         * managed login style its page needs: every client this component makes comes from here, so none lacks one.
         * A public client (no secret) rotates its refresh tokens (refreshTokens.ts).
         */
        const oauthClient = (clientName: string, scopes: pulumi.Input<pulumi.Input<string>[]>, callbackUrls: pulumi.Input<pulumi.Input<string>[]>, generateSecret: boolean) => {
            const rotation = refreshTokenRotation(!generateSecret);
            const client = new aws.cognito.UserPoolClient(clientName, {
                userPoolId: this.userPool.id,
                generateSecret,
                allowedOauthFlowsUserPoolClient: true,
                allowedOauthFlows: ["code"],
                allowedOauthScopes: scopes,
                callbackUrls,
                supportedIdentityProviders: identityProviders,
                preventUserExistenceErrors: "ENABLED",
                // Users sign in through the hosted UI only; no password flow is exposed to API callers. A rotating
                // client may not allow REFRESH_TOKEN_AUTH (refreshTokens.ts).
                explicitAuthFlows: [...(rotation === undefined ? AUTH_FLOWS : ROTATING_AUTH_FLOWS)],
                ...(rotation === undefined ? {} : { refreshTokenRotation: rotation }),
                // Explicit lifetimes, and revocation, so that signing a user out (or a stolen refresh token) can be ended.
                accessTokenValidity: args.accessTokenMinutes ?? 60,
                idTokenValidity: args.accessTokenMinutes ?? 60,
                refreshTokenValidity: args.refreshTokenDays ?? 30,
                tokenValidityUnits: { accessToken: "minutes", idToken: "minutes", refreshToken: "days" },
                enableTokenRevocation: true,
            }, { parent: this });
            // Managed login pages of a client without a style are nonfunctional (DeleteManagedLoginBranding, API
            // reference): Cognito's default style, made after the domain that serves it.
            new aws.cognito.ManagedLoginBranding(`${clientName}-branding`, {
                userPoolId: this.userPool.id,
                clientId: client.id,
                useCognitoProvidedValues: true,
            }, { parent: this, dependsOn: [this.domain] });
            return client;
        };

        // The only mutable piece: a new ChatGPT callback URL updates this client in place and nothing else.
        this.client = oauthClient(`${name}-client`, args.scopes ?? ["openid", "email", "profile"], args.callbackUrls, true);
        this.clientSecret = pulumi.secret(this.client.clientSecret);

        this.authorizationUrl = pulumi.interpolate`${hostedUi}/oauth2/authorize`;
        this.tokenUrl = pulumi.interpolate`${hostedUi}/oauth2/token`;
        this.revocationUrl = pulumi.interpolate`${hostedUi}/oauth2/revoke`;
        // The pool id starts with its region ("eu-west-1_AbC"); Cognito serves the keys under the pool's issuer.
        this.jwksUrl = pulumi.interpolate`https://cognito-idp.${this.userPool.id.apply((id) => id.split("_")[0])}.amazonaws.com/${this.userPool.id}/.well-known/jwks.json`;

        if (args.mcp !== undefined) {
            // Cognito writes a custom scope as "<identifier>/<scope name>"; the identifier is the MCP URL, so the
            // `resource` an MCP client sends names this server. Cognito docs: "Scopes, M2M, and APIs with resource
            // servers" (resource binding, Essentials and Plus plans) and CreateResourceServer (identifier ≤ 256).
            const apiUrl = pulumi.output(args.mcp.apiUrl);
            const resourceServer = new aws.cognito.ResourceServer(`${name}-mcp-resource-server`, {
                userPoolId: this.userPool.id,
                identifier: apiUrl.apply(mcpServerUrl),
                name: "MCP server",
                scopes: [{ scopeName: MCP_SCOPE_NAME, scopeDescription: "List and call the MCP server's tools" }],
            }, { parent: this });
            this.mcpScope = pulumi.interpolate`${resourceServer.identifier}/${MCP_SCOPE_NAME}`;
            // MCP clients sign in through the OAuth facade (handler/facade), which checks their own redirect URIs and
            // PKCE and answers with `iss`: at Cognito, the facade's callback is their only one.
            const facadeCallback = [apiUrl.apply((url) => facadeUrls(url).callback)];
            this.mcpClient = oauthClient(`${name}-mcp-client`, [this.mcpScope], facadeCallback, !(args.mcp.publicClient ?? false));
            this.mcpClientSecret = args.mcp.publicClient === true ? undefined : pulumi.secret(this.mcpClient.clientSecret);
            // One public client for every client with a metadata document: the facade binds each code and refresh
            // token to the client it was issued to, so sharing the Cognito client does not let them swap.
            this.mcpCimdClient = oauthClient(`${name}-mcp-cimd-client`, [this.mcpScope], facadeCallback, false);
        }

        // The groups routes are kept to (RouteSpec.groups). Cognito puts a user's groups in the access token's
        // cognito:groups claim, which the handler checks ("Adding groups to a user pool", Cognito developer guide).
        // Keyed by name, so another route naming a group changes nothing; a group no route names any more is
        // deleted, and its members with it (DeleteGroup removes memberships, not users).
        this.groups = Object.fromEntries((args.groups ?? []).map((group) => [group, new aws.cognito.UserGroup(`${name}-group-${group}`, {
            userPoolId: this.userPool.id,
            name: group,
            description: "A group the gpt-action route table keeps routes to (handler/routes.ts, groups).",
        }, { parent: this })]));

        if (args.testUserEmail !== undefined) {
            // Meets the pool's policy by construction; the user picks a permanent one at first login.
            const password = new random.RandomPassword(`${name}-test-user-password`, {
                length: 20,
                minUpper: 1,
                minLower: 1,
                minNumeric: 1,
                minSpecial: 1,
                overrideSpecial: PASSWORD_SYMBOLS,
            }, { parent: this });
            // The cookbook's `admin-create-user` step, without the invitation email.
            const testUser = new aws.cognito.User(`${name}-test-user`, {
                userPoolId: this.userPool.id,
                username: args.testUserEmail,
                attributes: { email: args.testUserEmail, email_verified: "true" },
                messageAction: "SUPPRESS",
                temporaryPassword: password.result,
            }, { parent: this });
            this.testUserTemporaryPassword = pulumi.secret(password.result);
            // So the test user can try the routes the table keeps to a group (testUserGroups).
            for (const group of args.testUserGroups ?? []) {
                const userGroup = this.groups[group];
                if (userGroup === undefined) {
                    throw new pulumi.ResourceError(`testUserGroups names ${group}, which no route's groups name; add it to a route in handler/routes.ts or remove it from testUserGroups`, this);
                }
                new aws.cognito.UserInGroup(`${name}-test-user-in-${group}`, {
                    userPoolId: this.userPool.id,
                    username: testUser.username,
                    groupName: userGroup.name,
                }, { parent: this });
            }
        }

        this.registerOutputs({
            userPoolId: this.userPool.id,
            clientId: this.client.id,
            clientSecret: this.clientSecret,
            authorizationUrl: this.authorizationUrl,
            tokenUrl: this.tokenUrl,
            testUserTemporaryPassword: this.testUserTemporaryPassword,
            mcpClientId: this.mcpClient?.id,
            mcpClientSecret: this.mcpClientSecret,
            mcpScope: this.mcpScope,
            mcpCimdClientId: this.mcpCimdClient?.id,
        });
    }
}
