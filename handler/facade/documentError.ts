/** Why a client's metadata document could not be used, in words safe to show the user (no response body, no address). */
export class DocumentFetchError extends Error {}
