/**
 * Consent tokens already spent, in this warm instance only: a bounded set, each entry kept until its token expires.
 * A stateless function cannot do better (another instance, or this one after a cold start, has not seen the token);
 * docs/consent.md says what that leaves open, and why the cookie binding covers it.
 */

/** Far above the consents one instance answers in a token's 5 minutes; past it the oldest entries go first. */
const CAPACITY = 10_000;

export class UsedTokens {
    private readonly used = new Map<string, number>();

    constructor(private readonly clock: () => number, private readonly capacity = CAPACITY) {}

    /** Records `id` (valid until `expiresAt`, ms); false when it was already recorded. */
    use(id: string, expiresAt: number): boolean {
        const now = this.clock();
        const seen = this.used.get(id);
        if (seen !== undefined && seen > now) {
            return false;
        }
        for (const [key, until] of this.used) {
            // Insertion order is close to expiry order (one lifetime for all), so the sweep stops at the first live one.
            if (until > now && this.used.size < this.capacity) {
                break;
            }
            this.used.delete(key);
        }
        this.used.set(id, expiresAt);
        return true;
    }
}
