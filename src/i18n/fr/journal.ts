// The journal view: verify and replay.
export const journal = {
} as const;
