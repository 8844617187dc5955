// Findings, evidence, reviews, investigations, reports.
export const findings = {
} as const;
