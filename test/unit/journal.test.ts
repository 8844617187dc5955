import { describe, expect, it } from 'vitest';
import { Journal, MemoryJournalSink, parseJournal, verifyJournalText } from '../../src/core/journal/journal.ts';

async function journalOf(n: number): Promise<MemoryJournalSink> {
  const sink = new MemoryJournalSink();
  const j = await Journal.load(sink);
  for (let i = 0; i < n; i++) {
    await j.append({ op: 'sql', params: { q: `SELECT ${i}` }, inputs: [], sql: [`SELECT ${i}`], output: { rows: i, digest: `d${i}` }, durationMs: 1 });
  }
  return sink;
}

const lines = (s: MemoryJournalSink) => s.text.trimEnd().split('\n');

describe('journal', () => {
  it('chains each entry to the previous one and verifies intact', async () => {
    const sink = await journalOf(4);
    const { entries } = parseJournal(sink.text);
    expect(entries.map((e) => e.seq)).toEqual([0, 1, 2, 3]);
    expect(entries[0]!.prev).toBeNull();
    expect(entries[2]!.prev).toBe(entries[1]!.hash);
    expect(await verifyJournalText(sink.text)).toMatchObject({ ok: true, count: 4 });
  });

  it('names the entry whose content was edited', async () => {
    const l = lines(await journalOf(4));
    l[2] = l[2]!.replace('"rows":2', '"rows":20');
    const res = await verifyJournalText(l.join('\n'));
    expect(res.ok).toBe(false);
    expect(res.firstBroken).toMatchObject({ seq: 2, reason: expect.stringMatching(/modifié/) });
  });

  it('detects a removed entry', async () => {
    const l = lines(await journalOf(4));
    l.splice(1, 1);
    const res = await verifyJournalText(l.join('\n'));
    expect(res.ok).toBe(false);
    expect(res.firstBroken?.index).toBe(1);
  });

  it('detects reordered entries', async () => {
    const l = lines(await journalOf(4));
    [l[1], l[2]] = [l[2]!, l[1]!];
    const res = await verifyJournalText(l.join('\n'));
    expect(res.ok).toBe(false);
    expect(res.firstBroken?.index).toBe(1);
  });

  it('detects a removed last entry only by count, and a re-hashed forgery by the chain', async () => {
    const l = lines(await journalOf(3));
    // Editing an entry and recomputing its own hash still breaks the next entry's link.
    const { entryHash } = await import('../../src/core/journal/journal.ts');
    const e = JSON.parse(l[1]!);
    e.output.rows = 999;
    const { hash: _h, ...rest } = e;
    e.hash = await entryHash(rest);
    l[1] = JSON.stringify(e);
    const res = await verifyJournalText(l.join('\n'));
    expect(res.firstBroken?.seq).toBe(2);
  });

  it('reports a truncated last line and keeps every complete entry', async () => {
    const sink = await journalOf(3);
    const cut = sink.text.slice(0, sink.text.length - 25);
    const parsed = parseJournal(cut);
    expect(parsed.entries).toHaveLength(2);
    expect(parsed.problems).toEqual([{ line: 3, reason: expect.stringMatching(/tronquée/) }]);
    const res = await verifyJournalText(cut);
    expect(res.ok).toBe(true);
    expect(res.problems).toHaveLength(1);
  });

  it('keeps appending in call order when appends overlap', async () => {
    const sink = new MemoryJournalSink();
    const j = await Journal.load(sink);
    await Promise.all([0, 1, 2, 3, 4].map((i) => j.append({ op: `op${i}`, params: {}, inputs: [], sql: [], output: null, durationMs: 0 })));
    expect(parseJournal(sink.text).entries.map((e) => e.op)).toEqual(['op0', 'op1', 'op2', 'op3', 'op4']);
    expect((await j.verify()).ok).toBe(true);
  });
});
