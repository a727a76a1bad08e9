/**
 * Callback (redirect) URLs for the Cognito app client: validation against Cognito's rules and the
 * ChatGPT host twins. Pure functions, so they are unit-tested without Pulumi.
 */

/** Registered while no ChatGPT callback is known: Cognito refuses an OAuth client with no callback URL. */
export const PLACEHOLDER_CALLBACK_URL = "https://example.com/replace-with-the-callback-url-chatgpt-shows";

/** Cognito's limit on one callback URL's length. */
export const MAX_URL_LENGTH = 1024;
/** Cognito's limit on how many callback URLs one app client holds. */
export const MAX_CALLBACK_URLS = 100;

/** ChatGPT shows its callback on one of these hosts but may redirect from either. */
const CHATGPT_HOSTS = ["chatgpt.com", "chat.openai.com"];

/** Returns why `url` cannot be a Cognito callback URL, or undefined when it can. */
export function callbackUrlProblem(url: string): string | undefined {
    if (url.length > MAX_URL_LENGTH) {
        return `is ${url.length} characters long; Cognito accepts at most ${MAX_URL_LENGTH}`;
    }
    if (url.includes("*")) {
        return "contains a wildcard; Cognito matches callback URLs exactly, so register each URL in full";
    }
    if (url.includes("#")) {
        return "contains a fragment (#); OAuth 2.0 forbids fragments in redirect URIs";
    }
    let parsed: URL;
    try {
        parsed = new URL(url);
    } catch {
        return "is not an absolute URL";
    }
    if (parsed.protocol === "https:") {
        return undefined;
    }
    if (parsed.protocol === "http:" && parsed.hostname === "localhost") {
        return undefined;
    }
    return "must use https:// (only http://localhost is allowed for local testing)";
}

/** The same callback on ChatGPT's other host, for `https://chatgpt.com/aip/…` and `https://chat.openai.com/aip/…`. */
export function chatGptTwin(url: string): string | undefined {
    const parsed = new URL(url);
    const hostIndex = CHATGPT_HOSTS.indexOf(parsed.hostname);
    if (parsed.protocol !== "https:" || hostIndex < 0 || !parsed.pathname.startsWith("/aip/")) {
        return undefined;
    }
    parsed.hostname = CHATGPT_HOSTS[1 - hostIndex];
    return parsed.toString();
}

/** Every URL to register, in order, each followed by its ChatGPT twin, without repeats. Input must be valid. */
export function withChatGptTwins(urls: readonly string[]): string[] {
    const all = urls.flatMap((url) => {
        const twin = chatGptTwin(url);
        return twin === undefined ? [url] : [url, twin];
    });
    return [...new Set(all)];
}
