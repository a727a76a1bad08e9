/**
 * The route table as MCP tools (MCP 2025-11-25, "Server Features › Tools"): one tool per route, named after its
 * operationId, its schemas turned into JSON Schema 2020-12 (MCP's default dialect).
 */
import * as z from "zod/mini";
import { openaiFileResponse, type RouteEntry } from "./routes";

/** What a client reads before it calls; `annotations` are hints, never a security boundary. */
export interface ToolAnnotations {
    readonly title: string;
    readonly readOnlyHint: boolean;
    readonly destructiveHint: boolean;
    readonly idempotentHint: boolean;
    readonly openWorldHint: boolean;
}

export interface ToolDefinition {
    readonly name: string;
    readonly title: string;
    readonly description: string;
    readonly inputSchema: { readonly type: "object"; readonly [key: string]: unknown };
    readonly outputSchema?: { readonly type: "object"; readonly [key: string]: unknown };
    readonly annotations: ToolAnnotations;
}

/**
 * The longest tool description served, so ChatGPT apps and the app directory get a short one (issue 22); the route
 * table check (infra/routeTable.ts) refuses a route whose tool description is longer.
 */
export const MAX_TOOL_DESCRIPTION_CHARS = 200;
/** The part of the server's `instructions` a client is sure to show: the first 512 characters. */
export const MAX_INSTRUCTIONS_CHARS = 512;

const IDEMPOTENT_METHODS = ["GET", "PUT", "DELETE"];
const DESTRUCTIVE_METHODS = ["PUT", "PATCH", "DELETE"];

/** A route returns files when its response is the `openaiFileResponse` shape; the tool then returns resources. */
export function returnsFiles(route: RouteEntry): boolean {
    return route.response.schema === openaiFileResponse;
}

/** "getSalesReport" → "Get sales report". */
export function titleOf(operationId: string): string {
    const words = operationId.replace(/_/g, " ").replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase().trim();
    return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The route's hints, each from its own field or derived from `consequential` and `method` (see RouteSpec). */
export function toolAnnotations(route: RouteEntry): ToolAnnotations {
    const readOnly = route.readOnly ?? !route.consequential;
    return {
        title: route.title ?? titleOf(route.operationId),
        readOnlyHint: readOnly,
        destructiveHint: route.destructive ?? (!readOnly && DESTRUCTIVE_METHODS.includes(route.method)),
        idempotentHint: route.idempotent ?? (readOnly || IDEMPOTENT_METHODS.includes(route.method)),
        openWorldHint: route.openWorld ?? false,
    };
}

/** A JSON object schema for `schema`, without the `$schema` key (2020-12 is MCP's default). */
export function objectSchema(schema: z.ZodMiniType, io: "input" | "output"): { type: "object"; [key: string]: unknown } {
    const document: Record<string, unknown> = z.toJSONSchema(schema, { target: "draft-2020-12", io });
    delete document.$schema;
    if (document.type !== "object") {
        throw new Error(`an MCP tool's ${io} schema must be a JSON object (got ${JSON.stringify(document.type)})`);
    }
    return { ...document, type: "object" };
}

/** The tool's description: the route's summary, then its description when that says more. */
export function toolDescription(route: Pick<RouteEntry, "summary" | "description">): string {
    return route.summary === route.description ? route.summary : `${route.summary}\n\n${route.description}`;
}

export function toolDefinition(route: RouteEntry): ToolDefinition {
    const annotations = toolAnnotations(route);
    return {
        name: route.operationId,
        title: annotations.title,
        description: toolDescription(route),
        // A route without a body takes no arguments: the empty object schema MCP asks for.
        inputSchema: route.request === undefined ? { type: "object", properties: {}, additionalProperties: false } : objectSchema(route.request, "input"),
        // A file result comes back as resources, not as structured content, so it declares no output schema.
        ...(returnsFiles(route) ? {} : { outputSchema: objectSchema(route.response.schema, "output") }),
        annotations,
    };
}

/**
 * The server's `instructions` (MCP 2025-11-25, Lifecycle › Initialization: a hint for the model), from the table:
 * what the server is, then one line per tool. Held to MAX_INSTRUCTIONS_CHARS: the tools that do not fit are counted.
 */
export function serverInstructions(serverName: string, routes: readonly RouteEntry[]): string {
    const head = `${serverName}: ${routes.length} tool(s), each running one operation of this API as the signed-in user.`;
    const lines = routes.map((route) => `- ${route.operationId}: ${route.summary}`);
    let text = head;
    for (const [index, line] of lines.entries()) {
        const rest = lines.length - index - 1;
        const more = rest === 0 ? "" : `\n- and ${rest} more in tools/list.`;
        if (`${text}\n${line}${more}`.length > MAX_INSTRUCTIONS_CHARS) {
            return `${text}\n- and ${lines.length - index} more in tools/list.`;
        }
        text = `${text}\n${line}`;
    }
    return text;
}

/** One file of an `openaiFileResponse`, as the route returns it (`content` is base64). */
export interface ReturnedFile {
    readonly name: string;
    readonly mime_type: string;
    readonly content: string;
}

export type FileResource =
    | { readonly uri: string; readonly mimeType: string; readonly text: string }
    | { readonly uri: string; readonly mimeType: string; readonly blob: string };

/** Structured syntax suffixes of text formats (RFC 6839 §3.1 `+json`, §4.1 `+xml`; RFC 9512 `+yaml`). */
const TEXT_SUFFIXES = ["+json", "+xml", "+yaml"];
/** `application/` types that are text; `text/*` always is. */
const TEXT_APPLICATION_TYPES = ["application/json", "application/xml", "application/yaml", "application/x-yaml", "application/csv", "application/javascript", "application/sql", "application/graphql", "application/x-ndjson"];
const UTF8_CHARSETS = ["utf-8", "utf8", "us-ascii"];

/**
 * True when a file of this media type is text a model can read: `text/*`, a listed `application/` type, or a `+json`,
 * `+xml` or `+yaml` suffix; and its `charset`, if any, is UTF-8 or ASCII (MCP's text content is a JSON string).
 */
export function isTextMediaType(mediaType: string): boolean {
    const [essence, ...parameters] = mediaType.toLowerCase().split(";").map((part) => part.trim());
    const charset = parameters.find((p) => p.startsWith("charset="))?.slice("charset=".length).replace(/^"|"$/g, "");
    if (charset !== undefined && !UTF8_CHARSETS.includes(charset)) {
        return false;
    }
    return essence.startsWith("text/") || TEXT_APPLICATION_TYPES.includes(essence) || TEXT_SUFFIXES.some((suffix) => essence.endsWith(suffix));
}

const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * A URI that names the file and nothing more (MCP 2025-11-25, Resources › Common URI Schemes: a custom scheme MUST
 * follow RFC 3986; `https://` only for what a client can fetch itself, and `file://` suggests a filesystem). This
 * server has no `resources` capability, so nothing can be read from it with resources/read: the contents travel in
 * the result only.
 */
export function fileUri(serverName: string, operationId: string, fileName: string): string {
    return `${serverName}://tools/${operationId}/${encodeURIComponent(fileName)}`;
}

/**
 * A returned file as an embedded resource (MCP 2025-11-25, Tools › Tool Result › Embedded Resources): text files
 * as `text` a model reads, with their MIME type; binary files (or bytes that are not valid UTF-8) as a base64 `blob`.
 */
export function fileResource(serverName: string, operationId: string, file: ReturnedFile): FileResource {
    const uri = fileUri(serverName, operationId, file.name);
    if (isTextMediaType(file.mime_type)) {
        try {
            return { uri, mimeType: file.mime_type, text: STRICT_UTF8.decode(Buffer.from(file.content, "base64")) };
        } catch {
            // Declared text but not UTF-8: the bytes go as they are.
        }
    }
    return { uri, mimeType: file.mime_type, blob: file.content };
}
