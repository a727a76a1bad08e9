/** Bundles the handler with esbuild while the Pulumi program runs, so no build output is ever committed. */
import * as esbuild from "esbuild";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/** The handler's entry module; the infrastructure knows nothing else about its code. */
export const HANDLER_ENTRY = path.join(__dirname, "..", "handler", "index.ts");

/**
 * Modules the entry loads only when a request needs them (`await import("./mcp.js")`), each bundled into a
 * file of its own. Inlined, esbuild would evaluate them lazily but Node would still read and compile all of
 * their code at load (with the MCP SDK, that made the REST routes' cold init about 95 ms slower).
 */
export const LAZY_MODULES: readonly string[] = [
    "./mcp.js",
    // The OAuth facade's client-assertion verifier and jose (about 25 KB): only a private_key_jwt client's token
    // request needs them, never an authorize, a callback or a public client's token request.
    "./clientAssertion.js",
];

export interface BundleFile {
    /** The minified CommonJS module. */
    readonly code: string;
    /** Its source map, so stack traces in the logs point at the TypeScript source. */
    readonly sourceMap: string;
    /** Bytes each input file contributes to `code`, for size budgets. */
    readonly bytesByInput: Readonly<Record<string, number>>;
}

export interface Bundle extends BundleFile {
    /** The lazily loaded modules, by file name next to `index.js` (e.g. `mcp.js`); empty when the entry loads none. */
    readonly lazy: Readonly<Record<string, BundleFile>>;
    /** Every file of the function's archive: `index.js`, the lazy modules and their source maps. */
    readonly files: Readonly<Record<string, string>>;
}

/**
 * Packages the Lambda runtime provides, left out of the bundle and loaded from the runtime: the AWS SDK for
 * JavaScript v3, which Lambda's Node.js runtimes include from nodejs18.x on ("Why and how you should use AWS SDK
 * for JavaScript (v3) on Node.js 18", AWS Developer Tools Blog; "Building Lambda functions with Node.js"). An
 * operation that reads DynamoDB then adds nothing to the bundle, as the AWS CDK's NodejsFunction does by default.
 * The version is the runtime's, which AWS updates; to pin one, or to use an API newer than the runtime's, remove the
 * pattern here and add the client to dependencies, and esbuild bundles it.
 */
export const RUNTIME_PROVIDED: readonly string[] = ["@aws-sdk/*"];

/** esbuild's target: the functions' runtime, nodejs24.x (infra/lambda.ts), and package.json's engines. */
export const NODE_TARGET = "node24";

/**
 * Bundles `entry` for Lambda's Node.js 24 runtime on arm64 as `index.js`, plus one file for each of
 * LAZY_MODULES it imports. Output is deterministic, so unchanged code is not redeployed.
 */
export function bundleHandler(entry: string = HANDLER_ENTRY): Bundle {
    const main = build(entry, "index.js", LAZY_MODULES);
    const lazy: Record<string, BundleFile> = {};
    for (const specifier of main.externalImports.filter((s) => LAZY_MODULES.includes(s))) {
        const name = path.basename(specifier);
        // Each lazy module is bundled whole, so it carries its own copy of the modules it shares with the entry
        // (a few KB of handler code and the part of zod both use); only plain data may cross between the two.
        lazy[name] = build(path.join(path.dirname(entry), specifier.replace(/\.js$/, ".ts")), name, []);
    }
    const files: Record<string, string> = { "index.js": main.code, "index.js.map": main.sourceMap };
    for (const [name, file] of Object.entries(lazy)) {
        files[name] = file.code;
        files[`${name}.map`] = file.sourceMap;
    }
    return { code: main.code, sourceMap: main.sourceMap, bytesByInput: main.bytesByInput, lazy, files };
}

type Built = BundleFile & { externalImports: string[] };

/**
 * Bundles built in this process, each with the files it was built from and a digest of their contents. The tests
 * run the program about a hundred times, and the build was most of each run; a bundle is reused only while every
 * input still has the same content, so an edited file is rebuilt.
 */
const builtBundles = new Map<string, { readonly inputs: readonly string[]; readonly digest: string; readonly built: Built }>();

/** Forgets the bundles built so far, so that the next build runs esbuild again (to test that builds are deterministic). */
export function clearBundleCache(): void {
    builtBundles.clear();
}

/** A digest of the files' paths and contents, or undefined when one cannot be read (then nothing is reused). */
function digestOf(files: readonly string[]): string | undefined {
    const hash = createHash("sha256");
    for (const file of files) {
        let content: Buffer;
        try {
            content = fs.readFileSync(file);
        } catch {
            return undefined;
        }
        hash.update(file).update("\0").update(content).update("\0");
    }
    return hash.digest("hex");
}

function build(entry: string, outName: string, external: readonly string[]): Built {
    const key = JSON.stringify([entry, outName, external]);
    const cached = builtBundles.get(key);
    if (cached !== undefined && digestOf(cached.inputs) === cached.digest) {
        return cached.built;
    }
    const workingDir = process.cwd();
    const { built, inputs } = runEsbuild(entry, outName, external, workingDir);
    const files = inputs.map((input) => path.resolve(workingDir, input));
    const digest = digestOf(files);
    if (digest !== undefined) {
        builtBundles.set(key, { inputs: files, digest, built });
    }
    return built;
}

/** One esbuild run, and the files it read (relative to `workingDir`, as esbuild names them). */
function runEsbuild(entry: string, outName: string, external: readonly string[], workingDir: string): { built: Built; inputs: string[] } {
    const result = esbuild.buildSync({
        absWorkingDir: workingDir,
        entryPoints: [entry],
        bundle: true,
        platform: "node",
        target: NODE_TARGET,
        format: "cjs",
        minify: true,
        // "linked" adds the sourceMappingURL comment that --enable-source-maps follows to the .map file.
        sourcemap: "linked",
        sourcesContent: false,
        external: [...external, ...RUNTIME_PROVIDED],
        // An external `import()` becomes `require()`: the file is CommonJS, and a real dynamic import would load it
        // through Node's ESM loader and its export scanner, which only costs time.
        supported: { "dynamic-import": false },
        // A fixed output path keeps absolute paths of this machine out of the bundle and its map.
        outfile: path.join(path.dirname(entry), outName),
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
    const externalImports = (output?.imports ?? []).filter((i) => i.external === true).map((i) => i.path);
    return { built: { code: file(".js"), sourceMap: file(".js.map"), bytesByInput, externalImports }, inputs: Object.keys(result.metafile.inputs) };
}
