/**
 * How `npm run bench` judges a timing budget on a shared machine. A busy machine makes every time longer and
 * noisier, so a missed timing budget is measured again (up to ATTEMPTS times), a budget met in any attempt is
 * met, and a budget missed in every attempt fails the run (exit 1) only when the machine was quiet enough to
 * judge: otherwise the line says MISSED, why the machine was too busy, and the run exits 0. Size budgets do not
 * depend on the machine and always fail the run when missed.
 */
import * as os from "node:os";
import { median } from "./median";

/** Measurements of a missed timing budget, the first included. */
export const ATTEMPTS = 3;
/** Spread of the reference's repeats (interquartile range over median) above which timings are too noisy to judge. */
export const MAX_SPREAD = 0.3;

/** Whether the machine was quiet enough to judge a timing, and what was seen. */
export interface MachineState {
    readonly quiet: boolean;
    readonly detail: string;
}

/** The interquartile range of `values` over their median: 0 for identical repeats. */
export function spread(values: readonly number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))];
    const mid = median(sorted);
    return mid === 0 ? 0 : (at(0.75) - at(0.25)) / mid;
}

/**
 * The machine is too busy to judge when the 1-minute load average (`loads`, taken around the measurement, this
 * benchmark's own processes excluded by `ownLoad`) is above the core count, or when the reference measured in the
 * same run (the empty handler, the bare server) varied by more than MAX_SPREAD between repeats.
 */
export function machineState(loads: readonly number[], reference: readonly number[], ownLoad = 0): MachineState {
    // The machine's cores, not this process's affinity (bench/local.ts pins itself to one).
    const cores = os.cpus().length;
    const load = Math.max(...loads) - ownLoad;
    const referenceSpread = spread(reference);
    const reasons = [
        ...(load > cores ? [`load average ${load.toFixed(1)} above ${cores} cores`] : []),
        ...(referenceSpread > MAX_SPREAD ? [`the reference varied by ${(referenceSpread * 100).toFixed(0)} % between repeats (over ${MAX_SPREAD * 100} %)`] : []),
    ];
    return reasons.length === 0
        ? { quiet: true, detail: `load average ${load.toFixed(1)} on ${cores} cores, reference spread ${(referenceSpread * 100).toFixed(0)} %` }
        : { quiet: false, detail: reasons.join("; ") };
}

/** A timing budget's outcome over its attempts, as one line, and whether it fails the run. */
export function timingVerdict(label: string, attempts: ReadonlyArray<{ ok: boolean; value: string; machine: MachineState }>): { line: string; fails: boolean } {
    const values = attempts.map((a) => a.value).join(", ");
    const tries = attempts.length === 1 ? "" : ` over ${attempts.length} attempts: ${values}`;
    if (attempts.some((a) => a.ok)) {
        return { line: `budget: ${label}: met (${attempts.find((a) => a.ok)?.value ?? ""}${tries === "" ? "" : `; attempts: ${values}`})`, fails: false };
    }
    const last = attempts[attempts.length - 1].machine;
    if (!last.quiet) {
        return { line: `budget: ${label}: MISSED${tries === "" ? ` (${values})` : tries}, but the machine was too busy to judge (${last.detail}); not failing the run`, fails: false };
    }
    return { line: `budget: ${label}: MISSED${tries === "" ? ` (${values})` : tries}, on a quiet machine (${last.detail})`, fails: true };
}
