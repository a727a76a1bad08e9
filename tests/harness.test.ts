import { expect } from "chai";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { AUTHORIZER_NAME } from "../infra/restApiDocument";
import { FIXTURE_STACK_FILE, restApiDocumentOf, runProgram, type Run } from "./harness";

/** The user pools whose tokens the API's authorizer accepts. */
const userPoolArns = (run: Run) => restApiDocumentOf(run).components.securitySchemes[AUTHORIZER_NAME]["x-amazon-apigateway-authorizer"];

const ROOT = path.join(__dirname, "..");

/** What a user's stack file may hold after the README's deploy steps, and then some: each value breaks a test. */
const USER_STACK_FILE = `encryptionsalt: v1:c2FsdA==:v1:bm9uY2U=:bWFj
config:
  aws:region: eu-west-1
  gpt-action:callbackUrl: http://chatgpt.com/not-https
  gpt-action:testUserEmail: you@example.com
  gpt-action:identityProviders:
    - type: oidc
      clientSecret:
        secure: v1:AAAABBBBCCCC
`;

describe("the mocks harness", () => {
    it("runs on its fixture stack file, which sets the region the tests expect", async () => {
        expect(fs.readFileSync(FIXTURE_STACK_FILE, "utf8")).to.match(/^ {2}aws:region: us-east-1$/m);
        const run = await runProgram();
        expect(userPoolArns(run)).to.deep.include({ providerARNs: ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_MockPool"] });
    });

    it("runs on the stack file it is given", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gpt-action-stack-"));
        try {
            const stackFile = path.join(dir, "Pulumi.other.yaml");
            fs.writeFileSync(stackFile, "config:\n  aws:region: eu-west-1\n  gpt-action:stageName: v2\n");
            const run = await runProgram({}, { stackFile });
            expect(run.one("aws:apigateway/stage:Stage").inputs.stageName).to.equal("v2");
            expect(userPoolArns(run)).to.deep.include({ providerARNs: ["arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_MockPool"] });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    // The proof that a user's config cannot turn the suite red: the program and harness, copied beside a
    // Pulumi.dev.yaml a user could have written, run as on the fixture, in a process of their own.
    it("never reads the repository's Pulumi.<stack>.yaml", function () {
        this.timeout(60_000);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gpt-action-repo-"));
        try {
            for (const entry of ["index.ts", "Pulumi.yaml", "package.json", "tsconfig.json", "infra", "handler", "tests/harness.ts", "tests/fixtures"]) {
                fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
            }
            fs.symlinkSync(fs.realpathSync(path.join(ROOT, "node_modules")), path.join(dir, "node_modules"), "dir");
            fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), USER_STACK_FILE);
            const script = `require("./tests/harness").runProgram().then((run) => {
                const arns = require("./tests/harness").restApiDocumentOf(run).components.securitySchemes.CognitoUserPool["x-amazon-apigateway-authorizer"].providerARNs;
                const users = run.all("aws:cognito/user:User").length;
                process.stdout.write(JSON.stringify({ arns, users }));
            }, (error) => { console.error(error); process.exitCode = 1; });`;
            const output = execFileSync(process.execPath, ["--require", "tsx/cjs", "-e", script], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
            expect(JSON.parse(output)).to.deep.equal({ arns: ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_MockPool"], users: 0 });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
