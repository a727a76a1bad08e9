/**
 * The OAuth facade's function (handler/facade): the MCP surface's authorize, callback, token and revoke endpoints in
 * front of Cognito, so that MCP clients can use Client ID Metadata Documents and get RFC 9207 `iss`. It keeps no
 * state but a random key that signs what it hands out, which it reads from Secrets Manager at a cold start: its role
 * may write its own logs and read that one secret.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as path from "node:path";
import { DOCUMENT_TIMEOUT_MS } from "../handler/facade/documentFetch";
import { facadeEnvironment, MIN_STATE_KEY_BYTES } from "../handler/facade/settings";
import { COGNITO_TIMEOUT_MS } from "../handler/facade/token";
import { createHandlerFunction } from "./lambda";
import type { CognitoEndpoints } from "./mcpMetadata";

/** The facade's entry module. */
export const FACADE_ENTRY = path.join(__dirname, "..", "handler", "facade", "index.ts");

export interface OAuthFacadeArgs {
    /** The API's base URL (the issuer), known before the stage exists. */
    readonly apiUrl: pulumi.Input<string>;
    readonly cognito: { readonly [K in keyof CognitoEndpoints]: pulumi.Input<string> };
    /** The public app client every CIMD client signs in through; its only callback is the facade's. */
    readonly cimdClientId: pulumi.Input<string>;
    /** The MCP app client, and the redirect URIs the facade accepts for it (Cognito sees only the facade's callback). */
    readonly staticClient: { readonly id: pulumi.Input<string>; readonly redirectUris: pulumi.Input<pulumi.Input<string>[]> };
    /** Client ID Metadata Document URLs accepted as client_id. */
    readonly clientMetadataUrls: readonly string[];
    readonly logRetentionDays: pulumi.Input<number>;
    readonly tracing: boolean;
}

/**
 * Above its own limits (a client document fetch, then a Cognito call, each with its own timeout) plus a margin, so
 * that the facade, not Lambda, answers a slow document host or Cognito; below API Gateway's 29 s. 15 s today, as
 * tests/facadeInfra.test.ts pins.
 */
const FACADE_TIMEOUT_SECONDS = Math.ceil((COGNITO_TIMEOUT_MS + DOCUMENT_TIMEOUT_MS) / 1000) + 2;

/** Declares the facade's function, log group, role, state key and its secret as children of `parent`, named `${name}-…`. */
export function createOAuthFacade(name: string, args: OAuthFacadeArgs, parent: pulumi.Resource): aws.lambda.Function {
    // HMAC-SHA256 wants a key as long as its output (RFC 2104 §3); random keeps it in the state as a secret, the one
    // source of the key: replacing this resource rotates it.
    const stateKey = new random.RandomBytes(`${name}-state-key`, { length: MIN_STATE_KEY_BYTES }, { parent });
    // In Secrets Manager, not the environment: Lambda returns environment variables to anyone allowed the read-only
    // lambda:GetFunctionConfiguration, and AWS recommends Secrets Manager for such values ("Working with Lambda
    // environment variables"). Encrypted with the AWS managed key aws/secretsmanager, so reading it needs no
    // kms:Decrypt ("GetSecretValue", Secrets Manager API Reference).
    const secret = new aws.secretsmanager.Secret(`${name}-state-key`, {
        description: "The OAuth facade's state key: base64url of 32 random bytes (HMAC-SHA256). Rotate by replacing the stack's RandomBytes resource.",
    }, { parent });
    const version = new aws.secretsmanager.SecretVersion(`${name}-state-key`, {
        secretId: secret.id,
        // `base64` of a RandomBytes is a Pulumi secret, and stays one through apply.
        secretString: stateKey.base64.apply((key) => Buffer.from(key, "base64").toString("base64url")),
    }, { parent });
    // The version's `arn` is the secret's, known once the key is in: the function never starts before it can read it.
    // Its version id too: a rotation changes it, so Lambda replaces the running instances, which read the new key.
    const environment = pulumi.all([args.apiUrl, pulumi.output(args.cognito), args.cimdClientId, args.staticClient.id, args.staticClient.redirectUris, version.arn, version.versionId])
        .apply(([apiUrl, cognito, cimdClientId, staticId, redirectUris, stateKeySecretArn, stateKeyVersionId]) => facadeEnvironment({
            apiUrl,
            cognito,
            shadowClientId: cimdClientId,
            stateKeySecretArn,
            stateKeyVersionId,
            clientMetadataUrls: args.clientMetadataUrls,
            staticClients: { [staticId]: redirectUris },
        }));
    return createHandlerFunction(name, {
        entry: FACADE_ENTRY,
        timeoutSeconds: FACADE_TIMEOUT_SECONDS,
        memoryMb: 256,
        logRetentionDays: args.logRetentionDays,
        environment,
        // Its role alone may read the key, and only this secret's current value.
        statements: [{ Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: version.arn }],
        tracing: args.tracing,
    }, parent).fn;
}
