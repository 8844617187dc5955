export function buildStaleness(root: string, built: string, env?: Record<string, string | undefined>): string | null;
