/** Building files for the GPT: the `openaiFileResponse` shape and CSV text. */
import type * as z from "zod/mini";
import type { openaiFileResponse } from "./routes";

export interface FileToReturn {
    readonly name: string;
    readonly mimeType: string;
    readonly content: string | Uint8Array;
}

/** Files ChatGPT receives as if the user had uploaded them. */
export function fileResponse(files: readonly FileToReturn[]): z.input<typeof openaiFileResponse> {
    return {
        openaiFileResponse: files.map((file) => ({
            name: file.name,
            mime_type: file.mimeType,
            content: Buffer.from(file.content).toString("base64"),
        })),
    };
}

/** RFC 4180 CSV: fields with commas, quotes or line breaks are quoted, quotes doubled; CRLF line ends. */
export function toCsv(rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
    const field = (value: string | number) => {
        const text = String(value);
        return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
    };
    return rows.map((row) => row.map(field).join(",")).join("\r\n") + "\r\n";
}
