/**
 * A bounded map whose entries expire: what local mode keeps codes and refresh tokens in, so that a client (or an
 * attacker) signing in over and over cannot grow its memory without end.
 */
export class ExpiringStore<V> {
    private readonly entries = new Map<string, { readonly value: V; readonly expiresAt: number }>();

    /** `capacity` entries at most; `clock` gives milliseconds since the epoch. */
    constructor(private readonly capacity: number, private readonly clock: () => number) {}

    get size(): number {
        return this.entries.size;
    }

    /**
     * Adds an entry after removing expired ones and, when full, the oldest. Entries are kept in insertion order
     * and mostly share one lifetime, so the expired ones are at the front and the sweep stops at the first live one.
     */
    set(key: string, value: V, expiresAt: number): void {
        const now = this.clock();
        for (const [oldKey, entry] of this.entries) {
            if (entry.expiresAt > now && this.entries.size < this.capacity) {
                break;
            }
            this.entries.delete(oldKey);
        }
        this.entries.set(key, { value, expiresAt });
    }

    /** The live value of `key`; an expired one is removed and not returned. */
    get(key: string): V | undefined {
        const entry = this.entries.get(key);
        if (entry === undefined) {
            return undefined;
        }
        if (entry.expiresAt <= this.clock()) {
            this.entries.delete(key);
            return undefined;
        }
        return entry.value;
    }

    delete(key: string): boolean {
        return this.entries.delete(key);
    }
}
