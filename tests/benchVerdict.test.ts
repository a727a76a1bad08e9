/** npm run bench's policy: a timing budget missed on a busy machine is reported, not a failed run. */
import { expect } from "chai";
import * as os from "node:os";
import { machineState, spread, timingVerdict } from "../bench/verdict";

const cores = os.cpus().length;
const steady = [100, 101, 99, 100, 102];
const noisy = [100, 180, 60, 140, 90];

describe("npm run bench's verdicts", () => {
    it("measures the reference's spread as interquartile range over median", () => {
        expect(spread(steady)).to.be.below(0.05);
        expect(spread(noisy)).to.be.above(0.3);
    });

    it("calls the machine too busy above one load per core (its own load excluded) or with a noisy reference", () => {
        expect(machineState([cores - 0.5], steady).quiet).to.be.true;
        expect(machineState([cores + 0.5], steady, 1).quiet).to.be.true;
        expect(machineState([cores + 1.5], steady, 1)).to.include({ quiet: false }).and.have.property("detail").that.includes("load average");
        expect(machineState([0], noisy)).to.include({ quiet: false }).and.have.property("detail").that.includes("varied");
    });

    it("passes a budget met in any attempt, and fails the run only for misses on a quiet machine", () => {
        const quiet = machineState([0], steady);
        const busy = machineState([cores + 5], steady);
        expect(timingVerdict("x", [{ ok: false, value: "+90 ms", machine: busy }, { ok: true, value: "+20 ms", machine: quiet }])).to.deep.include({ fails: false });
        const excused = timingVerdict("x", [{ ok: false, value: "+90 ms", machine: busy }, { ok: false, value: "+95 ms", machine: busy }]);
        expect(excused.fails).to.be.false;
        expect(excused.line).to.match(/^budget: x: MISSED over 2 attempts: \+90 ms, \+95 ms, but the machine was too busy to judge/);
        const missed = timingVerdict("x", [{ ok: false, value: "+90 ms", machine: quiet }]);
        expect(missed).to.deep.include({ fails: true });
        expect(missed.line).to.match(/^budget: x: MISSED \(\+90 ms\), on a quiet machine/);
    });
});
