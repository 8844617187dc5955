// What the command palette lists and how typing narrows it: every word typed must appear in the
// command's title or its keywords, ignoring case and accents ("resume" finds "Résumé").

export interface Command {
  id: string;
  title: string;
  /** A second line: the group ("Vue", "Table") or a hint. */
  group: string;
  keywords?: string;
  run: () => unknown;
}

export function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

export function matchCommands(commands: readonly Command[], query: string): Command[] {
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (!words.length) return [...commands];
  const scored = commands
    .map((c, i) => {
      const title = fold(c.title);
      const hay = `${title} ${fold(c.group)} ${fold(c.keywords ?? '')}`;
      if (!words.every((w) => hay.includes(w))) return null;
      // Titles that start with what was typed come first, then titles containing it, then the rest.
      const score = title.startsWith(words[0]!) ? 0 : words.every((w) => title.includes(w)) ? 1 : 2;
      return { c, i, score };
    })
    .filter((x): x is { c: Command; i: number; score: number } => x !== null);
  scored.sort((a, b) => a.score - b.score || a.i - b.i);
  return scored.map((x) => x.c);
}
