// Names made from labels a person wrote: identifiers, file names, project folders.

/**
 * The label's words in lower-case ASCII (accents dropped), joined by `sep` and cut at `max`
 * characters: « Subventions votées, 2024 » → `subventions-votees-2024`. Empty when no letter or digit
 * is left; the caller picks the fallback.
 */
export function slug(label: string, sep: '-' | '_', max: number): string {
  return label
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, sep)
    .replace(new RegExp(`^${sep}+|${sep}+$`, 'g'), '')
    .slice(0, max);
}
