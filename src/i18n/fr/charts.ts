// Charts, maps and dashboards.
export const charts = {
} as const;
