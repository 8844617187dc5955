// The SQL workbench.
export const sql = {
} as const;
