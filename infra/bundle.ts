/** Bundles the handler with esbuild while the Pulumi program runs, so no build output is ever committed. */
import * as esbuild from "esbuild";
import * as path from "node:path";

/** The handler's entry module; the infrastructure knows nothing else about its code. */
export const HANDLER_ENTRY = path.join(__dirname, "..", "handler", "index.ts");

export interface Bundle {
    /** The minified CommonJS module Lambda loads as `index.js`. */
    readonly code: string;
    /** Its source map, so stack traces in the logs point at the TypeScript source. */
    readonly sourceMap: string;
    /** Bytes each input file contributes to `code`, for size budgets. */
    readonly bytesByInput: Readonly<Record<string, number>>;
}

/** Bundles `entry` for Lambda's Node.js 22 runtime on arm64. Output is deterministic, so unchanged code is not redeployed. */
export function bundleHandler(entry: string = HANDLER_ENTRY): Bundle {
    const result = esbuild.buildSync({
        entryPoints: [entry],
        bundle: true,
        platform: "node",
        target: "node22",
        format: "cjs",
        minify: true,
        sourcemap: "external",
        sourcesContent: false,
        // A fixed output path keeps absolute paths of this machine out of the bundle and its map.
        outfile: path.join(path.dirname(entry), "index.js"),
        write: false,
        metafile: true,
        logLevel: "silent",
    });
    const file = (ext: string) => {
        const out = result.outputFiles.find((f) => f.path.endsWith(ext));
        if (out === undefined) {
            throw new Error(`esbuild produced no ${ext} for ${entry}`);
        }
        return out.text;
    };
    const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint !== undefined);
    const bytesByInput = Object.fromEntries(Object.entries(output?.inputs ?? {}).map(([input, { bytesInOutput }]) => [input, bytesInOutput]));
    return { code: file(".js"), sourceMap: file(".js.map"), bytesByInput };
}
