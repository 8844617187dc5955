// Explore: sorting, filters, facets, profiles, export, command palette.
export const explore = {
} as const;
