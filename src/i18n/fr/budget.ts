// The Budget view: voted vs executed, participatory budget, subsidies.
export const budget = {
} as const;
