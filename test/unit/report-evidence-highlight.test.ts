// The search's marks cut a passage into plain and marked pieces, rendered as text nodes and <mark>:
// the pieces put back together are the passage, whatever the marks (overlapping, out of range, unordered).
import { describe, expect, it } from 'vitest';
import { pieces } from '../../src/ui/reports/highlight.ts';

describe('passage highlight pieces', () => {
  it('marks exactly the given ranges and keeps every character', () => {
    const text = 'Les subventions versées aux associations <b>culturelles</b>';
    const start = text.indexOf('subventions');
    const out = pieces(text, [[start, start + 'subventions'.length]]);
    expect(out.map((p) => p.text).join('')).toBe(text);
    expect(out.filter((p) => p.mark).map((p) => p.text)).toEqual(['subventions']);
    // The markup in a report's text stays text: nothing parses it.
    expect(out.at(-1)!.text).toContain('<b>culturelles</b>');
  });

  it('survives unordered, overlapping and out-of-range marks', () => {
    const text = 'contrôle des comptes rendus financiers';
    const out = pieces(text, [
      [13, 20],
      [0, 8],
      [5, 10],
      [30, 500],
      [600, 700],
    ]);
    expect(out.map((p) => p.text).join('')).toBe(text);
    expect(out.filter((p) => p.mark).map((p) => p.text)).toEqual(['contrôle', ' d', 'comptes', text.slice(30)]);
  });

  it('returns the text unmarked when there is nothing to mark', () => {
    expect(pieces('abc', [])).toEqual([{ text: 'abc', mark: false }]);
    expect(pieces('', [[0, 3]])).toEqual([]);
  });
});
