/**
 * Which of the suite's server scenarios apply to our MCP server: stateless (no session, no SSE stream, JSON
 * responses), tools only (no resources, prompts, completions, logging), and never calling back into the client
 * (no sampling, elicitation, progress). tests/conformance.test.ts fails when the installed suite lists a scenario
 * that is in neither list, so an upgrade of @modelcontextprotocol/conformance is classified, not silently skipped.
 */

/** Run on every `npm test`. */
export const APPLICABLE: readonly string[] = [
    "server-initialize",
    "ping",
    "tools-list",
    "dns-rebinding-protection",
];

const FIXTURE_TOOL = "calls a fixture tool of the suite's reference server (test_*), which a server serving its own route table does not have";

/** Not run, each with why. */
export const EXCLUDED: Readonly<Record<string, string>> = {
    "logging-set-level": "logging: the server declares no logging capability (tools only)",
    "completion-complete": "completions: the server declares no completions capability (tools only)",
    "tools-call-simple-text": FIXTURE_TOOL,
    "tools-call-image": FIXTURE_TOOL,
    "tools-call-audio": FIXTURE_TOOL,
    "tools-call-embedded-resource": FIXTURE_TOOL,
    "tools-call-mixed-content": FIXTURE_TOOL,
    "tools-call-error": FIXTURE_TOOL,
    "tools-call-with-logging": `logging notifications during a call need an SSE response; and ${FIXTURE_TOOL}`,
    "tools-call-with-progress": `progress notifications need an SSE response; and ${FIXTURE_TOOL}`,
    "tools-call-sampling": "sampling: a stateless JSON-response server cannot send requests to the client",
    "tools-call-elicitation": "elicitation: a stateless JSON-response server cannot send requests to the client",
    "elicitation-sep1034-defaults": "elicitation: a stateless JSON-response server cannot send requests to the client",
    "elicitation-sep1330-enums": "elicitation: a stateless JSON-response server cannot send requests to the client",
    "json-schema-2020-12": `pending suite; ${FIXTURE_TOOL} (json_schema_2020_12_tool)`,
    "server-sse-polling": "pending suite; SSE polling and resumption need sessions and SSE streams (SEP-1699), which a stateless JSON server has not",
    "server-sse-multiple-streams": "needs an Mcp-Session-Id (it stops with a warning without one); the server is stateless",
    "resources-list": "resources: not offered (tools only)",
    "resources-read-text": "resources: not offered (tools only)",
    "resources-read-binary": "resources: not offered (tools only)",
    "resources-templates-read": "resources: not offered (tools only)",
    "resources-subscribe": "resources: not offered (tools only)",
    "resources-unsubscribe": "resources: not offered (tools only)",
    "prompts-list": "prompts: not offered (tools only)",
    "prompts-get-simple": "prompts: not offered (tools only)",
    "prompts-get-with-args": "prompts: not offered (tools only)",
    "prompts-get-embedded-resource": "prompts: not offered (tools only)",
    "prompts-get-with-image": "prompts: not offered (tools only)",
};
