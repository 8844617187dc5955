// The core must run unchanged in the renderer's worker, in Node and in tests: no DOM, no Svelte,
// and nothing from the UI, the hosts or the Electron shell.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files(p, out);
    else if (/\.(ts|js|cjs|mjs)$/.test(name)) out.push(p);
  }
  return out;
}

const FORBIDDEN: [RegExp, string][] = [
  [/from\s+['"]svelte(\/[^'"]*)?['"]/, 'import de Svelte'],
  [/from\s+['"][./]*(ui|host)\//, 'import de src/ui ou src/host'],
  [/from\s+['"][./]*electron\//, 'import du shell Electron'],
  [/from\s+['"]electron['"]/, 'import du module electron'],
  [/(?<![\w/])document\./, 'usage du DOM (document)'],
  [/(?<![\w/])window\./, 'usage du DOM (window)'],
  [/\blocalStorage\b/, 'usage du stockage du navigateur'],
  [/\bHTMLElement\b/, 'type du DOM'],
];

describe('src/core', () => {
  it('imports no DOM, no Svelte, no UI/host/Electron code', () => {
    const offences: string[] = [];
    for (const f of files('src/core')) {
      const text = readFileSync(f, 'utf8').replace(/\/\/.*$/gm, '');
      for (const [re, what] of FORBIDDEN) if (re.test(text)) offences.push(`${relative('.', f)} : ${what}`);
    }
    expect(offences).toEqual([]);
  });

  it('has no .svelte component', () => {
    expect(files('src/core').concat(readdirSync('src/core'))).not.toContainEqual(expect.stringMatching(/\.svelte$/));
  });
});
