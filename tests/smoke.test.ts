import { expect } from "chai";
import { runProgram, valueOf } from "./harness";
describe("smoke", () => {
    it("runs", async () => {
        const run = await runProgram();
        console.log(run.resources.map((r) => `${r.type} ${r.name}`).join("\n"));
        console.log(await valueOf(run.program.openApiSchema));
        console.log(await valueOf(run.program.authorizationUrl));
        expect(run.resources.length).to.be.greaterThan(5);
    });
});
