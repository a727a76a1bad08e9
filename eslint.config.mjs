// typescript-eslint's type-aware rules plus Pulumi's, which flags an Output inside a template literal.
import pulumi from "@pulumi/eslint-plugin";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", "bin/", ".local/", ".cache/", "eslint.config.mjs"] },
    ...tseslint.configs.recommendedTypeChecked,
    {
        languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
        plugins: { pulumi },
        rules: {
            "pulumi/no-output-in-template-literal": "error",
            "pulumi/no-output-instance-in-template-literal": "error",
            "@typescript-eslint/no-explicit-any": "error",
            "@typescript-eslint/no-floating-promises": "error",
        },
    },
    {
        // chai's property assertions (`expect(x).to.be.true`) read as unused expressions.
        files: ["tests/**/*.ts"],
        rules: { "@typescript-eslint/no-unused-expressions": "off" },
    },
);
