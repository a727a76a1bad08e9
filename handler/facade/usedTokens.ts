/**
 * Values that may be used once — consent form tokens, the `jti` of client assertions (RFC 7523 §3 item 7) — kept
 * until they expire, in this warm instance only. A stateless function cannot do better: another concurrent instance,
 * or this one after a cold start, has not seen the value; each value's short life bounds that window (docs/consent.md,
 * docs/client-documents.md say what it leaves open).
 */

/** A backstop far above what one instance sees within a value's few minutes of life. */
const CAPACITY = 10_000;

export class UsedTokens {
    private readonly until = new Map<string, number>();

    constructor(private readonly clock: () => number, private readonly capacity = CAPACITY) {}

    /** Records `id`, valid until `expiresAt` (ms since the epoch); false when it is recorded already and not expired (a replay). */
    use(id: string, expiresAt: number): boolean {
        const now = this.clock();
        const seen = this.until.get(id);
        if (seen !== undefined && seen > now) {
            return false;
        }
        if (this.until.size >= this.capacity) {
            for (const [old, time] of this.until) {
                if (time <= now) {
                    this.until.delete(old);
                }
            }
            if (this.until.size >= this.capacity) {
                // Full of live entries: the oldest goes, which reopens its replay window only under a flood.
                this.until.delete(this.until.keys().next().value ?? "");
            }
        }
        this.until.delete(id);
        this.until.set(id, expiresAt);
        return true;
    }
}
