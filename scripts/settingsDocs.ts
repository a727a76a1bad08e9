/** npm run settings-docs: regenerates Pulumi.yaml's config: block and the README's settings table from infra/settings.ts. */
import * as fs from "node:fs";
import * as path from "node:path";
import { SETTINGS } from "../infra/settings";
import { withPulumiConfig, withReadmeTable } from "../infra/settingsDocs";

const ROOT = path.join(__dirname, "..");
const rewrite = (file: string, generate: (text: string) => string) => {
    const at = path.join(ROOT, file);
    fs.writeFileSync(at, generate(fs.readFileSync(at, "utf8")));
};
rewrite("Pulumi.yaml", (text) => withPulumiConfig(text, SETTINGS));
rewrite("README.md", (text) => withReadmeTable(text, SETTINGS));
