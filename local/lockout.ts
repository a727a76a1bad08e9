/**
 * Cognito's lockout after wrong passwords, as AWS documents it ("Lockout behavior for failed sign-in
 * attempts"): after 5 failures a user is locked out for 1 s, doubling with each further failure up to about
 * 15 minutes (2^(n-5) s for n failures); attempts during a lockout are refused without counting; a success after
 * the lockout, or 15 minutes without attempts, starts over.
 *
 * Unknown usernames are locked out the same way, so a lockout does not reveal which users exist. Their records
 * are bounded in number and never pushed out by a flood of other names while locked, and a local user's record is
 * never pushed out at all: otherwise failing under 10,000 made-up names would lift a real user's lockout.
 */

const FREE_FAILURES = 5;
const MAX_LOCK_MS = 15 * 60 * 1000;
/** Failures are forgotten this long after the last attempt. */
const FORGET_MS = 15 * 60 * 1000;
/** Unknown usernames tracked at once. */
const TRACKED_UNKNOWN = 10_000;

/**
 * Cognito's longest username ("Length Constraints: Minimum length of 1. Maximum length of 128." on `Username` in
 * the Cognito user pools API reference, e.g. AdminCreateUser and AdminInitiateAuth's USERNAME). No account can
 * have a longer one, so local mode refuses it before it becomes a lockout key: records stay small.
 */
export const MAX_USERNAME_LENGTH = 128;

interface Failures {
    readonly failures: number;
    readonly lockedUntil: number;
}

export class Lockout {
    /** Local users' records: as many as there are users. */
    private readonly known = new Map<string, Failures>();
    /** Unknown usernames' records, oldest failure first (a failure re-inserts its record at the end). */
    private readonly unknown = new Map<string, Failures>();
    private readonly users: ReadonlySet<string>;

    /** `usernames`: the local users, as the caller normalises them; `clock` gives milliseconds since the epoch. */
    constructor(private readonly clock: () => number, usernames: Iterable<string>) {
        this.users = new Set(usernames);
    }

    /** Unknown usernames tracked now (for tests of the bound). */
    get trackedUnknown(): number {
        return this.unknown.size;
    }

    /** Whether `username` may try a password now. */
    allows(username: string): boolean {
        return (this.record(username)?.lockedUntil ?? 0) <= this.clock();
    }

    /** Counts a wrong password; from the fifth on, the user is locked out for 2^(n-5) s, at most 15 minutes. */
    failed(username: string): void {
        const now = this.clock();
        const failures = (this.record(username)?.failures ?? 0) + 1;
        const lockMs = failures < FREE_FAILURES ? 0 : Math.min(MAX_LOCK_MS, 1000 * 2 ** (failures - FREE_FAILURES));
        const record = { failures, lockedUntil: now + lockMs };
        if (this.users.has(username)) {
            this.known.set(username, record);
            return;
        }
        this.unknown.delete(username);
        if (this.makeRoom(now)) {
            this.unknown.set(username, record);
        }
    }

    succeeded(username: string): void {
        this.known.delete(username);
        this.unknown.delete(username);
    }

    /** The live record of `username`; a forgotten one is removed. */
    private record(username: string): Failures | undefined {
        const store = this.users.has(username) ? this.known : this.unknown;
        const record = store.get(username);
        if (record !== undefined && forgotten(record, this.clock())) {
            store.delete(username);
            return undefined;
        }
        return record;
    }

    /**
     * Frees a slot for an unknown username: drops forgotten records, then the unlocked one whose last failure is
     * oldest. False when every slot holds a current lockout: the new name goes untracked rather than lifting one.
     */
    private makeRoom(now: number): boolean {
        for (const [name, record] of this.unknown) {
            if (this.unknown.size < TRACKED_UNKNOWN) {
                return true;
            }
            if (forgotten(record, now) || record.lockedUntil <= now) {
                this.unknown.delete(name);
            }
        }
        return this.unknown.size < TRACKED_UNKNOWN;
    }
}

function forgotten(record: Failures, now: number): boolean {
    return record.lockedUntil + FORGET_MS <= now;
}
