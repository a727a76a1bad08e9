/** The shipped route table with groups and grants added for one test (index.ts and the policy pack read the shipped one). */
import { routes, type Grant } from "../handler/routes";

export interface Access { groups?: readonly string[]; grants?: readonly Grant[] }
export type AccessEdits = Partial<Record<keyof typeof routes, Access>>;

/** Runs `run` with `edits` merged into the shipped table's routes, then restores them, whatever happens. */
export async function withAccess<T>(edits: AccessEdits, run: () => Promise<T>): Promise<T> {
    const table = routes as unknown as Record<string, Access>;
    const saved = Object.fromEntries(Object.keys(edits).map((key) => [key, { groups: table[key].groups, grants: table[key].grants }]));
    for (const [key, edit] of Object.entries(edits)) {
        Object.assign(table[key], edit);
    }
    try {
        return await run();
    } finally {
        for (const [key, access] of Object.entries(saved)) {
            const route = table[key];
            delete route.groups;
            delete route.grants;
            Object.assign(route, Object.fromEntries(Object.entries(access).filter(([, value]) => value !== undefined)));
        }
    }
}
