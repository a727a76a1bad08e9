/**
 * The OAuth facade's Lambda entry: a thin authorization server in front of Cognito that accepts Client ID Metadata
 * Documents and puts RFC 9207's `iss` on every authorization response, while Cognito keeps the users, the sign-in
 * page and the tokens. It keeps nothing per user: what it must remember rides in signed or encrypted values (envelopes.ts).
 * Its one AWS call reads its key from Secrets Manager at a cold start, signed by hand (no SDK: stateKeySecret.ts);
 * like the API's handler, it always answers and never throws.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { logError, logRequest } from "../log";
import { authorize } from "./authorize";
import { callback } from "./callback";
import { ClientAuthentication } from "./clientAuthentication";
import { ClientDocuments } from "./clientDocuments";
import { consent } from "./consent";
import type { FacadeContext } from "./context";
import { withCors } from "./cors";
import type { FetchOptions } from "./documentFetch";
import { FACADE_METHODS, FACADE_PATHS } from "./paths";
import { readFacadeEvent } from "./request";
import { json } from "./responses";
import { readFacadeSettings, withStateKey, type FacadeSettings } from "./settings";
import { readSecretString } from "./stateKeySecret";
import { postForm, revoke, token } from "./token";
import { UsedTokens } from "./usedTokens";

export type FacadeHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

export interface FacadeOptions {
    readonly clock?: () => number;
    /** Options of each document fetch, by URL. Default: none (HTTPS, public addresses, the default limits). */
    readonly fetchOptions?: (url: string) => FetchOptions;
    /** POSTs a form to Cognito. Default: fetch with a 10 s timeout. */
    readonly post?: FacadeContext["post"];
}

/** The facade for `settings`; local mode and tests build theirs with this, the function from its environment. */
export function createFacadeHandler(settings: FacadeSettings, options: FacadeOptions = {}): FacadeHandler {
    const clock = options.clock ?? Date.now;
    const context: FacadeContext = {
        settings,
        clock,
        documents: new ClientDocuments(options.fetchOptions ?? (() => ({})), clock),
        clientAuth: new ClientAuthentication(options.fetchOptions ?? (() => ({})), clock),
        post: options.post ?? postForm,
        usedConsents: new UsedTokens(clock),
    };
    return async (event) => {
        const started = performance.now();
        let route = "none";
        let method = "unreadable";
        let path = "";
        let requestId = "local";
        let result: APIGatewayProxyResult;
        try {
            const request = readFacadeEvent(event);
            method = request.method.slice(0, 10);
            path = request.path;
            requestId = request.gatewayRequestId ?? requestId;
            const expected = Object.hasOwn(FACADE_METHODS, request.path) ? FACADE_METHODS[request.path] : undefined;
            if (expected === undefined) {
                result = json(404, { message: "Not Found" });
            } else if (request.method !== expected) {
                result = json(405, { message: `Use ${expected}.` }, { Allow: expected });
            } else {
                route = request.path;
                switch (request.path) {
                    case FACADE_PATHS.authorize:
                        result = await authorize(context, request.query, request.headers);
                        break;
                    case FACADE_PATHS.callback:
                        result = await callback(context, request.query);
                        break;
                    case FACADE_PATHS.consent:
                        result = await consent(context, request);
                        break;
                    case FACADE_PATHS.token:
                        result = await token(context, request);
                        break;
                    default:
                        result = await revoke(context, request);
                }
            }
        } catch (error) {
            logError(requestId, route, error);
            result = json(500, { error: "server_error", error_description: `Something went wrong on our side; quote request id ${requestId} when reporting it.` });
        }
        result = withCors(path, result);
        // Route, method and status only: never a parameter, token or body.
        logRequest({ requestId, route, method, status: result.statusCode, latencyMs: Math.round((performance.now() - started) * 100) / 100 });
        return result;
    };
}

/** Loads the settings the function runs with; called once per cold start, and again after a failure. */
export type SettingsLoader = () => Promise<FacadeSettings>;

/**
 * A Lambda handler whose settings come from `load`, on the first request: kept for the instance's life once loaded;
 * a failed load answers 500 and is tried again on the next request, so a throttled or briefly denied secret read
 * does not leave the instance broken. Like the facade, it never throws.
 */
export function createLambdaHandler(load: SettingsLoader, options: FacadeOptions = {}): FacadeHandler {
    let loaded: Promise<FacadeHandler> | undefined;
    return async (event) => {
        // Through a resolved promise, so that even a loader that throws synchronously ends in the catch below.
        loaded ??= Promise.resolve().then(load).then((settings) => createFacadeHandler(settings, options));
        let facade: FacadeHandler;
        try {
            facade = await loaded;
        } catch (error) {
            loaded = undefined;
            // The message names the variable or the call that failed, never a value.
            logError("init", "settings", error);
            return json(500, { error: "server_error", error_description: "The sign-in service is misconfigured." });
        }
        return facade(event);
    };
}

/** The function's settings: its environment (settings.ts), and the state key from the secret it names (stateKeySecret.ts). */
export async function settingsFromEnvironment(env: NodeJS.ProcessEnv = process.env): Promise<FacadeSettings> {
    const settings = readFacadeSettings(env);
    return withStateKey(settings, await readSecretString(settings.stateKeySecretArn, env, { versionId: settings.stateKeyVersionId }));
}

/** The Lambda handler. */
export const handler: FacadeHandler = createLambdaHandler(() => settingsFromEnvironment());
