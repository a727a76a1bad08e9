/**
 * The OAuth facade's function (handler/facade): the MCP surface's authorize, callback, token and revoke endpoints in
 * front of Cognito, so that MCP clients can use Client ID Metadata Documents and get RFC 9207 `iss`. It makes no AWS
 * call, so its role may only write its own logs; it keeps no state but a random key that signs what it hands out.
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

/** Declares the facade's function, log group, role and state key as children of `parent`, named `${name}-…`. */
export function createOAuthFacade(name: string, args: OAuthFacadeArgs, parent: pulumi.Resource): aws.lambda.Function {
    // HMAC-SHA256 wants a key as long as its output (RFC 2104 §3); random keeps it in the state as a secret.
    const stateKey = new random.RandomBytes(`${name}-state-key`, { length: MIN_STATE_KEY_BYTES }, { parent });
    const environment = pulumi.all([args.apiUrl, pulumi.output(args.cognito), args.cimdClientId, args.staticClient.id, args.staticClient.redirectUris, stateKey.base64])
        .apply(([apiUrl, cognito, cimdClientId, staticId, redirectUris, key]) => facadeEnvironment({
            apiUrl,
            cognito,
            shadowClientId: cimdClientId,
            stateKey: Buffer.from(key, "base64").toString("base64url"),
            clientMetadataUrls: args.clientMetadataUrls,
            staticClients: { [staticId]: redirectUris },
        }));
    return createHandlerFunction(name, {
        entry: FACADE_ENTRY,
        timeoutSeconds: FACADE_TIMEOUT_SECONDS,
        memoryMb: 256,
        logRetentionDays: args.logRetentionDays,
        // A secret, unlike other functions' settings: whoever can read this function's configuration could as well
        // replace its code, and the key signs only the facade's own state and envelopes, never a token.
        environment: pulumi.secret(environment),
        tracing: args.tracing,
    }, parent).fn;
}
