// The Audit view: the standard tests and their forms.
export const audit = {
} as const;
