/**
 * The `jti` of every client assertion this instance accepted, until the assertion expires (RFC 7523 §3 item 7: the
 * server MAY keep such a list to refuse a replay). In memory, per warm Lambda instance: a replay to another concurrent
 * instance, or after a cold start, is not caught; the assertion's short life (clientAuthMethods.ts) bounds that window.
 * Only assertions that passed their signature check are remembered, so only a client's own key can fill the set.
 */

/** A backstop; a warm instance sees far fewer assertions than this within five minutes. */
const CAPACITY = 10_000;

export class SeenAssertions {
    private readonly until = new Map<string, number>();

    /**
     * Remembers `jti` of `clientId` until `expiresAt` (ms since the epoch); false when it was already seen and has
     * not expired yet (a replay).
     */
    remember(clientId: string, jti: string, expiresAt: number, now: number): boolean {
        const key = `${clientId} ${jti}`;
        const seen = this.until.get(key);
        if (seen !== undefined && seen > now) {
            return false;
        }
        if (this.until.size >= CAPACITY) {
            for (const [old, time] of this.until) {
                if (time <= now) {
                    this.until.delete(old);
                }
            }
            if (this.until.size >= CAPACITY) {
                // Full of live entries: the oldest goes, which reopens its replay window only under a flood of valid assertions.
                this.until.delete(this.until.keys().next().value ?? "");
            }
        }
        this.until.delete(key);
        this.until.set(key, expiresAt);
        return true;
    }
}
