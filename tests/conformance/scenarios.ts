/**
 * Which of the suite's server scenarios apply to our MCP server, at each MCP revision it is run at: a stateless JSON
 * server (no session, no SSE stream) whose tools are the route table's, with empty prompts and resources, that never
 * asks the client for input (no sampling, elicitation, roots, progress or logging). tests/conformance.test.ts fails
 * when the suite runs a scenario that is in neither list, so an upgrade of @modelcontextprotocol/conformance is
 * classified, not silently skipped.
 */

/** The revisions the suite runs at: the current one, and the newest of the `initialize` era. */
export const SPEC_VERSIONS = ["2026-07-28", "2025-11-25"] as const;
export type SpecVersion = (typeof SPEC_VERSIONS)[number];

const FIXTURE_TOOL = "calls a fixture tool of the suite's reference server (test_*), which a server serving its own route table does not have";
const FIXTURE_PROMPT = "gets a fixture prompt of the suite's reference server (test_*); this server has no prompts";
const FIXTURE_RESOURCE = "reads a fixture resource of the suite's reference server (test://…); this server has no resources";
const NO_SESSION = "needs an Mcp-Session-Id (it stops with a warning without one); the server is stateless";
const ASKS_CLIENT = "needs a tool that asks the client for input (sampling, elicitation or roots); the route table's tools never do";
const NO_COMPLETIONS = "completions: the server declares no completions capability";

/** Run on every `npm test`, per revision. */
export const APPLICABLE: Readonly<Record<SpecVersion, readonly string[]>> = {
    "2026-07-28": [
        "server-stateless",
        "tools-list",
        "caching",
        "http-header-validation",
        "dns-rebinding-protection",
        "prompts-list",
        "resources-list",
        "sep-2164-resource-not-found",
        "server-sse-multiple-streams",
        "input-required-result-unsupported-methods",
        "input-required-result-validate-input",
    ],
    "2025-11-25": [
        "server-initialize",
        "ping",
        "tools-list",
        "dns-rebinding-protection",
        "prompts-list",
        "resources-list",
    ],
};

/** Excluded at both revisions: what needs the suite's own fixtures, or completions. */
const BOTH_REVISIONS: Readonly<Record<string, string>> = {
    "completion-complete": NO_COMPLETIONS,
    "tools-call-simple-text": FIXTURE_TOOL,
    "tools-call-image": FIXTURE_TOOL,
    "tools-call-audio": FIXTURE_TOOL,
    "tools-call-embedded-resource": FIXTURE_TOOL,
    "tools-call-mixed-content": FIXTURE_TOOL,
    "tools-call-error": FIXTURE_TOOL,
    "tools-call-with-progress": `progress notifications need an SSE response; and ${FIXTURE_TOOL}`,
    "json-schema-2020-12": `${FIXTURE_TOOL} (json_schema_2020_12_tool)`,
    "resources-read-text": FIXTURE_RESOURCE,
    "resources-read-binary": FIXTURE_RESOURCE,
    "resources-templates-read": FIXTURE_RESOURCE,
    "prompts-get-simple": FIXTURE_PROMPT,
    "prompts-get-with-args": FIXTURE_PROMPT,
    "prompts-get-embedded-resource": FIXTURE_PROMPT,
    "prompts-get-with-image": FIXTURE_PROMPT,
};

/** Not run, each with why, per revision. */
export const EXCLUDED: Readonly<Record<SpecVersion, Readonly<Record<string, string>>>> = {
    "2026-07-28": {
        ...BOTH_REVISIONS,
        "http-custom-header-server-validation": "needs a tool with x-mcp-header parameters; no route mirrors an argument into a header",
        "input-required-result-basic-elicitation": ASKS_CLIENT,
        "input-required-result-basic-sampling": ASKS_CLIENT,
        "input-required-result-basic-list-roots": ASKS_CLIENT,
        "input-required-result-request-state": ASKS_CLIENT,
        "input-required-result-multiple-input-requests": ASKS_CLIENT,
        "input-required-result-multi-round": ASKS_CLIENT,
        "input-required-result-missing-input-response": ASKS_CLIENT,
        "input-required-result-non-tool-request": `${ASKS_CLIENT} (from a prompt; this server has no prompts)`,
        "input-required-result-result-type": ASKS_CLIENT,
        "input-required-result-tampered-state": ASKS_CLIENT,
        "input-required-result-capability-check": ASKS_CLIENT,
        "input-required-result-ignore-extra-params": ASKS_CLIENT,
    },
    "2025-11-25": {
        "server-session-lifecycle": NO_SESSION,
        "server-sse-polling": `SSE polling and resumption (SEP-1699); ${NO_SESSION}`,
        "server-sse-multiple-streams": NO_SESSION,
        "logging-set-level": "logging: the server declares no logging capability",
        ...BOTH_REVISIONS,
        "tools-call-with-logging": `logging notifications during a call need an SSE response; and ${FIXTURE_TOOL}`,
        "tools-call-sampling": ASKS_CLIENT,
        "tools-call-elicitation": ASKS_CLIENT,
        "elicitation-sep1034-defaults": ASKS_CLIENT,
        "elicitation-sep1330-enums": ASKS_CLIENT,
        "resources-subscribe": "resource subscriptions: the resources capability does not offer subscribe",
        "resources-unsubscribe": "resource subscriptions: the resources capability does not offer subscribe",
    },
};
