/**
 * CORS of the facade's token and revocation endpoints, as Cognito's own token endpoint has it ("The token issuer
 * endpoint": it "returns an Access-Control-Allow-Origin: * response header", so that a browser-based public client can
 * finish an authorization code grant with PKCE). Without it a browser-based MCP client (MCP Inspector) gets its tokens
 * from Cognito's answer but cannot read the facade's. `*` and no credentials: these endpoints use no cookies, and a
 * client proves itself with its PKCE verifier or its own Authorization header, never with ambient browser state.
 * One definition for the function's answers, the API document's preflight (infra/restApiDocument.ts) and local mode.
 */
import type { APIGatewayProxyResult } from "aws-lambda";
import { FACADE_PATHS } from "./paths";

/** The paths a browser calls with fetch; /authorize and /callback are navigations and need none. */
export const CORS_PATHS: readonly string[] = [FACADE_PATHS.token, FACADE_PATHS.revoke];

/** On every answer of those paths, errors included (Fetch: a response without it is opaque to the page). */
export const CORS_HEADERS: Readonly<Record<string, string>> = { "Access-Control-Allow-Origin": "*" };

/**
 * The preflight's answer: POST with a form body and, for a confidential client, HTTP Basic (RFC 6749 §2.3.1); the
 * Authorization header is what makes a browser send a preflight at all.
 */
export const PREFLIGHT_HEADERS: Readonly<Record<string, string>> = {
    ...CORS_HEADERS,
    "Access-Control-Allow-Methods": "POST,OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type,Authorization",
};

/** `result` with the CORS headers when `path` is one of CORS_PATHS. */
export function withCors(path: string, result: APIGatewayProxyResult): APIGatewayProxyResult {
    return CORS_PATHS.includes(path) ? { ...result, headers: { ...result.headers, ...CORS_HEADERS } } : result;
}
