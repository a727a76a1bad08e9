/** Cognito's rules for a hosted-UI domain prefix, and a valid one derived from any project and stack name. Pure. */

/** Returns why `prefix` breaks Cognito's domain-prefix rules, or undefined when it is valid. */
export function domainPrefixProblem(prefix: string): string | undefined {
    if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(prefix)) {
        return "must be 1-63 lower-case letters, digits or hyphens, starting and ending with a letter or digit";
    }
    const reserved = ["aws", "amazon", "cognito"].find((word) => prefix.includes(word));
    if (reserved !== undefined) {
        return `must not contain the reserved word "${reserved}"`;
    }
    return undefined;
}

/**
 * Turns `text` into the start of a valid domain prefix: lower case, reserved words and other characters
 * dropped, at most 56 characters so that "-" and a 6-character suffix still fit in 63.
 */
export function domainPrefixBase(text: string): string {
    let base = text.toLowerCase();
    // Until none is left: removing one reserved word can join the letters around it into another ("aawsws").
    for (let before = ""; before !== base;) {
        before = base;
        base = base.replace(/aws|amazon|cognito/g, "");
    }
    base = base
        .replace(/[^a-z0-9]+/g, "-")
        .slice(0, 56)
        .replace(/^-+|-+$/g, "");
    return base === "" ? "gpt-action" : base;
}
