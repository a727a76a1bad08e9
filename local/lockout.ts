/**
 * Cognito's lockout after wrong passwords, as AWS documents it ("Lockout behavior for failed sign-in
 * attempts"): after 5 failures a user is locked out for 1 s, doubling with each further failure up to about
 * 15 minutes (2^(n-5) s for n failures); attempts during a lockout are refused without counting; a success after
 * the lockout, or 15 minutes without attempts, starts over.
 */
import { ExpiringStore } from "./expiringStore";

const FREE_FAILURES = 5;
const MAX_LOCK_MS = 15 * 60 * 1000;
/** Failures are forgotten this long after the last attempt. */
const FORGET_MS = 15 * 60 * 1000;
/** Usernames tracked at once, unknown ones included (so a lockout does not reveal which users exist). */
const TRACKED = 10_000;

interface Failures {
    readonly failures: number;
    readonly lockedUntil: number;
}

export class Lockout {
    private readonly records: ExpiringStore<Failures>;

    constructor(private readonly clock: () => number) {
        this.records = new ExpiringStore<Failures>(TRACKED, clock);
    }

    /** Whether `username` may try a password now. */
    allows(username: string): boolean {
        return (this.records.get(username)?.lockedUntil ?? 0) <= this.clock();
    }

    /** Counts a wrong password; from the fifth on, the user is locked out for 2^(n-5) s, at most 15 minutes. */
    failed(username: string): void {
        const now = this.clock();
        const failures = (this.records.get(username)?.failures ?? 0) + 1;
        const lockMs = failures < FREE_FAILURES ? 0 : Math.min(MAX_LOCK_MS, 1000 * 2 ** (failures - FREE_FAILURES));
        this.records.delete(username);
        this.records.set(username, { failures, lockedUntil: now + lockMs }, now + lockMs + FORGET_MS);
    }

    succeeded(username: string): void {
        this.records.delete(username);
    }
}
