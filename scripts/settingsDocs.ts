/** npm run settings-docs: regenerates Pulumi.yaml's config: block and docs/configuration.md's settings table from infra/settings.ts. */
import * as fs from "node:fs";
import * as path from "node:path";
import { SETTINGS } from "../infra/settings";
import { SETTINGS_PAGE, withPulumiConfig, withSettingsTable } from "../infra/settingsDocs";

const ROOT = path.join(__dirname, "..");
const rewrite = (file: string, generate: (text: string) => string) => {
    const at = path.join(ROOT, file);
    fs.writeFileSync(at, generate(fs.readFileSync(at, "utf8")));
};
rewrite("Pulumi.yaml", (text) => withPulumiConfig(text, SETTINGS));
rewrite(SETTINGS_PAGE, (text) => withSettingsTable(text, SETTINGS));
