/**
 * Where the OAuth facade's callback will send a browser next, read from the facade's signed `state`: the client's
 * redirect URI the facade validated at /oauth/authorize (and checks again at its callback). Local mode's login page
 * allows it in `form-action`, since Chromium applies that directive to every redirect after the form's POST: login →
 * facade callback → the client's callback on another origin (issue 21, item 1).
 */
import { openState } from "../handler/facade/envelopes";
import type { FacadeSettings } from "../handler/facade/settings";

/** `onwardRedirects` for LocalAuthority: nothing unless the request's redirect URI is the facade's callback. */
export function facadeOnwardRedirects(settings: () => FacadeSettings | undefined, clock: () => number = Date.now) {
    return ({ redirectUri, state }: { readonly redirectUri: string; readonly state?: string }): readonly string[] => {
        const facade = settings();
        if (facade === undefined || redirectUri !== facade.callbackUrl || state === undefined) {
            return [];
        }
        const pending = openState(facade.stateKey, state, clock());
        return pending.ok ? [pending.value.redirectUri] : [];
    };
}
