import { describe, expect, it } from 'vitest';
import {
  headOf,
  Journal,
  journalHeadLine,
  MemoryJournalSink,
  parseJournal,
  verifyEntries,
  verifyJournalText,
} from '../../src/core/journal/journal.ts';

async function journalOf(n: number): Promise<MemoryJournalSink> {
  const sink = new MemoryJournalSink();
  const j = await Journal.load(sink);
  for (let i = 0; i < n; i++) {
    await j.append({
      op: 'sql',
      params: { q: `SELECT ${i}` },
      inputs: [],
      sql: [`SELECT ${i}`],
      output: { rows: i, digest: `d${i}` },
      durationMs: 1,
    });
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

  it('reports a truncated last line, keeps every complete entry, and fails verification', async () => {
    const sink = await journalOf(3);
    const cut = sink.text.slice(0, sink.text.length - 25);
    const parsed = parseJournal(cut);
    expect(parsed.entries).toHaveLength(2);
    expect(parsed.problems).toEqual([{ line: 3, kind: 'torn', reason: expect.stringMatching(/tronquée/) }]);
    const res = await verifyJournalText(cut);
    expect(res.ok).toBe(false);
    expect(res.firstBroken).toMatchObject({ seq: 2, reason: expect.stringMatching(/^ligne 3 : dernière ligne tronquée/) });
  });

  it('starts the next entry on its own line after a torn write, so no complete entry is glued to the debris', async () => {
    const sink = await journalOf(3);
    sink.text = sink.text.slice(0, sink.text.length - 25);
    const j = await Journal.load(sink);
    const e = await j.append({ op: 'sql', params: {}, inputs: [], sql: [], output: null, durationMs: 0 });
    expect(e.seq).toBe(2);
    const parsed = parseJournal(sink.text);
    expect(parsed.entries.map((x) => x.seq)).toEqual([0, 1, 2]);
    expect(parsed.problems).toEqual([{ line: 3, kind: 'torn', reason: expect.stringMatching(/illisible/) }]);
    expect((await verifyEntries(parsed.entries)).ok).toBe(true);
  });

  it('refuses an entry carrying a field the hash would not cover, naming the line and the field', async () => {
    const l = lines(await journalOf(3));
    const e = JSON.parse(l[1]!);
    e.note = 'validé par le directeur';
    l[1] = JSON.stringify(e);
    const res = await verifyJournalText(l.join('\n') + '\n');
    expect(res.ok).toBe(false);
    expect(res.problems).toEqual([
      { line: 2, seq: 1, kind: 'malformed', reason: expect.stringMatching(/champ\(s\) inconnu\(s\) « note »/) },
    ]);
    expect(res.firstBroken?.reason).toMatch(/^ligne 2 : /);
    // A field slipped into a nested object is refused the same way.
    const o = JSON.parse(lines(await journalOf(3))[2]!);
    o.output.verifiedBy = 'x';
    expect(parseJournal(JSON.stringify(o)).problems[0]?.reason).toMatch(/« verifiedBy » dans output/);
  });

  it('refuses to write an entry it could not read back', async () => {
    const j = await Journal.load(new MemoryJournalSink());
    const draft = { op: 'sql', params: {}, inputs: [], sql: [], output: null, durationMs: 0, extra: 1 };
    await expect(j.append(draft as never)).rejects.toThrow(/champ\(s\) inconnu\(s\) « extra »/);
    expect(j.all()).toHaveLength(0);
  });

  it('hashes an entry as it reads back: a date in the parameters becomes its ISO text before hashing', async () => {
    const sink = new MemoryJournalSink();
    const j = await Journal.load(sink);
    await j.append({
      op: 'sql',
      params: { when: new Date('2024-03-01T00:00:00Z'), gone: undefined },
      inputs: [],
      sql: [],
      output: null,
      durationMs: 0,
    });
    expect((await verifyJournalText(sink.text)).ok).toBe(true);
    expect(parseJournal(sink.text).entries[0]!.params).toEqual({ when: '2024-03-01T00:00:00.000Z' });
  });

  it('gives its head, and a line for a report footer that names it in full', async () => {
    const j = await Journal.load(await journalOf(1234));
    const head = j.head();
    expect(head.count).toBe(1234);
    expect(head.hash).toBe(j.all()[1233]!.hash);
    expect(journalHeadLine(head)).toBe(`Tête du journal : 1\u202f234 entrée(s), empreinte de la dernière (n° 1\u202f233) ${head.hash}`);
    expect(journalHeadLine(headOf([]))).toMatch(/journal vide/);
  });

  it('keeps appending in call order when appends overlap', async () => {
    const sink = new MemoryJournalSink();
    const j = await Journal.load(sink);
    await Promise.all([0, 1, 2, 3, 4].map((i) => j.append({ op: `op${i}`, params: {}, inputs: [], sql: [], output: null, durationMs: 0 })));
    expect(parseJournal(sink.text).entries.map((e) => e.op)).toEqual(['op0', 'op1', 'op2', 'op3', 'op4']);
    expect((await j.verify()).ok).toBe(true);
  });
});
