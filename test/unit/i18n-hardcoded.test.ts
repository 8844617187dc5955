// Every user-facing string goes through the i18n catalogue: a Svelte component with visible text or a
// label written in the markup fails here, with the file and the text.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { filesUnder } from './helpers-io.ts';

/** Markup only: scripts, styles, comments and `{…}` expressions removed. */
function markup(src: string): string {
  let s = src
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/<!--[\s\S]*?-->/g, '');
  // Strip balanced {…} expressions, innermost first.
  for (let i = 0; i < 10 && /\{[^{}]*\}/.test(s); i++) s = s.replace(/\{[^{}]*\}/g, ' ');
  return s;
}

const WORD = /[A-Za-zÀ-ÿ]{2,}/;

export function hardCodedStrings(src: string): string[] {
  const m = markup(src);
  const found: string[] = [];
  for (const [, text] of m.matchAll(/>([^<>]+)</g)) if (WORD.test(text!)) found.push(text!.trim());
  for (const [, attr, value] of m.matchAll(/\s(aria-label|title|placeholder|alt|label)="([^"]*)"/g)) {
    if (WORD.test(value!)) found.push(`${attr}="${value}"`);
  }
  return found;
}

describe('i18n', () => {
  it('finds a hard-coded string when there is one (the check itself works)', () => {
    expect(hardCodedStrings('<button aria-label="Fermer">{t("x")}</button><p>Bonjour</p>')).toEqual(['Bonjour', 'aria-label="Fermer"']);
    expect(hardCodedStrings('<script>const a = "<p>Bonjour</p>";</script><p>{t("hello")}</p><span>×</span>')).toEqual([]);
  });

  it('has no hard-coded user-facing string in any Svelte component', () => {
    const offences = filesUnder('src', /\.svelte$/).flatMap((f) => hardCodedStrings(readFileSync(f, 'utf8')).map((s) => `${f}: ${s}`));
    expect(offences).toEqual([]);
  });
});
