/**
 * Bundled in place of `ajv` and `ajv-formats` (see infra/bundle.ts). The MCP SDK's Server imports them for its
 * default JSON Schema validator, which it uses only to check answers to elicitation requests; handler/mcp.ts
 * gives the Server a validator of its own because a stateless server never elicits. Left in, the two packages
 * would be 240 KB of mcp.js that every cold /mcp request compiles and runs for nothing.
 */
export default function noAjv(): never {
    throw new Error("ajv is not in the bundle: give the MCP Server a jsonSchemaValidator (see infra/stubs/noAjv.ts)");
}
