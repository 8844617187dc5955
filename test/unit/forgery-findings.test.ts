// Forgeries of a real project's findings, each the way someone with the folder could try it: edit
// findings.json, add a finding, edit frozen rows, get round four-eyes, forge a signature — even
// rewriting the journal and recomputing its chain. Each is named by verify with its problem code, the
// CLI's verify fails on it, and the report prints an ALTÉRÉ banner instead of a valid finding.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import '../../src/core/ops/all.ts';
import { main } from '../../src/cli/main.ts';
import type { Engine } from '../../src/core/engine/engine.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import {
  attachEvidence,
  checkFindings,
  createFinding,
  createInvestigation,
  evidenceFromResult,
  findingContentSha256,
  findingSealSha256,
  findingSignOff,
  parseFindingsFile,
  sealEvidence,
  signOff,
  signStep,
  submitForReview,
  updateFinding,
  verifyFindingsAgainstJournal,
  type Finding,
  type FindingsFile,
  type SnapshotEvidence,
} from '../../src/core/findings/index.ts';
import {
  exportPublicKey,
  generateKeyPair,
  keyFingerprint,
  makeSigner,
  normaliseIdentity,
  toBase64,
  type Signer,
} from '../../src/core/identity/identity.ts';
import { nodeFileResolver } from '../../src/node/node-source.ts';
import { entryHash, parseJournal, verifyEntries, type JournalEntry } from '../../src/core/journal/journal.ts';
import { getOperation } from '../../src/core/ops/registry.ts';
import { NodeProjectStore } from '../../src/node/node-store.ts';
import { Session } from '../../src/core/project/session.ts';

let dir: string;
let engine: Engine;
let s: Session;
let alice: Signer;
let bruno: Signer;
let mallory: Signer;
let signed: Finding;
let draft: Finding;
let cleanFindings = '';
let cleanJournal = '';
const project = () => join(dir, 'proj');
const findingsPath = () => join(project(), 'findings.json');
const journalPath = () => join(project(), 'journal.ndjson');

async function person(name: string, account: string): Promise<Signer> {
  const pair = await generateKeyPair(false);
  return makeSigner({ account, name }, pair.privateKey, await exportPublicKey(pair.publicKey));
}

async function newProject(name: string): Promise<Session> {
  // One file name per project: both load into the same engine, each its own table.
  const csv = join(dir, `mandats-${name}.csv`);
  await writeFile(
    csv,
    'Bénéficiaire;Montant;Date\nAssociation Les Semeurs;3000;15/03/2023\nAssociation Les Semeurs;3000;15/03/2023\nSARL Bâtir;45000;10/05/2023\n',
  );
  const session = await Session.create(engine, new NodeProjectStore(join(dir, name)), nodeFileResolver, 'Contrôle des mandats');
  await session.importPath(csv);
  return session;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loupe-forgery-'));
  // The CLI reads the user's identity and trusted keys there, never from the real home.
  process.env.LOUPE_HOME = join(dir, 'home');
  engine = await createNodeEngine();
  s = await newProject('proj');
  [alice, bruno, mallory] = await Promise.all([
    person('Alice Martin', 'amartin'),
    person('Bruno Roux', 'broux'),
    person('Directeur', 'mallory'),
  ]);
  const t = s.catalog.list().find((x) => x.kind === 'table')!;
  const dup = await s.run(getOperation('duplicates')!, { table: t.name, columns: ['beneficiaire', 'montant'], amount: 'montant' });
  const a = { by: alice.name, signer: alice };
  signed = await createFinding(s, { title: 'Mandat payé deux fois', effect: { text: 'Trop-payé.', amount: 3000 } }, a);
  signed = await attachEvidence(s, signed.id, await evidenceFromResult(s, dup, { title: 'Doublons' }), a);
  signed = await submitForReview(s, signed.id, a);
  signed = await signOff(s, signed.id, { by: bruno.name, signer: bruno });
  draft = await createFinding(s, { title: 'Régie sans inventaire', effect: { text: '', amount: 10 } }, a);
  cleanFindings = await readFile(findingsPath(), 'utf8');
  cleanJournal = await readFile(journalPath(), 'utf8');
}, 120_000);
afterAll(async () => {
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  await writeFile(findingsPath(), cleanFindings);
  await writeFile(journalPath(), cleanJournal);
});

/** What verify finds in the files as they are on disk now. */
async function problemsOnDisk(folder = project()) {
  const file = parseFindingsFile(await readFile(join(folder, 'findings.json'), 'utf8'), 'test');
  return verifyFindingsAgainstJournal(file, parseJournal(await readFile(join(folder, 'journal.ndjson'), 'utf8')).entries);
}

async function editFindings(fn: (f: FindingsFile) => void): Promise<FindingsFile> {
  const file = JSON.parse(await readFile(findingsPath(), 'utf8')) as FindingsFile;
  fn(file);
  await writeFile(findingsPath(), JSON.stringify(file));
  return file;
}

/** Rewrites the journal as a careful forger would: entries changed, the whole chain recomputed. */
async function rewriteJournal(fn: (entries: JournalEntry[]) => JournalEntry[]): Promise<JournalEntry[]> {
  const entries = fn(parseJournal(await readFile(journalPath(), 'utf8')).entries);
  let prev: string | null = null;
  const out: JournalEntry[] = [];
  for (const [i, e] of entries.entries()) {
    const { hash: _h, ...body } = { ...e, seq: i, prev };
    const hash = await entryHash(body);
    out.push({ ...body, hash });
    prev = hash;
  }
  await writeFile(journalPath(), out.map((e) => JSON.stringify(e)).join('\n') + '\n');
  // …and points the findings' history at the new hashes, so only what cannot be recomputed remains.
  await editFindings((file) => {
    for (const f of file.findings) for (const h of f.history) h.journal.hash = out[h.journal.seq]?.hash ?? h.journal.hash;
  });
  expect((await verifyEntries(out)).ok).toBe(true);
  return out;
}

const codes = (ps: { code: string; findingId?: string }[], id?: string) =>
  [...new Set(ps.filter((p) => !id || p.findingId === id).map((p) => p.code))].sort();

/** A final finding « validé par Directeur » written straight into the register: no journal entry at all. */
const madeUpFinal = (): Finding => ({
  ...structuredClone(draft),
  id: 'C-0099',
  title: 'Définitif, validé par Directeur',
  status: 'final',
  signedOff: { by: 'Directeur', at: '2024-01-01T00:00:00.000Z' },
  history: [],
});

describe('a clean project', () => {
  it('has no problem, and its submit and sign-off carry valid signatures', async () => {
    expect(await problemsOnDisk()).toEqual([]);
    const file = parseFindingsFile(cleanFindings, 'test');
    const check = await checkFindings(file, parseJournal(cleanJournal).entries, [{ ...bruno, addedAt: '2024-01-01' }]);
    expect(check.signatures.map((c) => [c.action, c.by, c.valid, c.trusted])).toEqual([
      ['submit', 'Alice Martin', true, false],
      ['sign-off', 'Bruno Roux', true, true],
    ]);
    expect(check.signatures[1]!.fingerprint).toBe(await keyFingerprint(bruno.publicKey));
  });
});

describe('findings.json edited by hand', () => {
  it('a signed-off amount raised and its text rewritten: content and sign-off no longer match the journal', async () => {
    await editFindings((file) => {
      const f = file.findings.find((x) => x.id === signed.id)!;
      f.effect.amount = 999_999;
      f.condition = 'Montant confirmé par le comptable.';
    });
    expect(codes(await problemsOnDisk())).toEqual(['finding-content-mismatch', 'signoff-mismatch']);
  });

  it('a draft turned final by its status: no sign-off in the journal covers it', async () => {
    await editFindings((file) => {
      const f = file.findings.find((x) => x.id === draft.id)!;
      f.status = 'final';
      f.signedOff = { by: 'Directeur', at: '2024-01-01T00:00:00.000Z' };
    });
    expect(codes(await problemsOnDisk(), draft.id)).toEqual(['finding-content-mismatch', 'signoff-mismatch']);
  });

  it('a made-up final finding « validé par Directeur », with no journal entry at all', async () => {
    await editFindings((file) => {
      file.findings.push(madeUpFinal());
    });
    const ps = await problemsOnDisk();
    expect(codes(ps, 'C-0099')).toEqual(['finding-not-journaled', 'signoff-mismatch']);
    expect(codes(ps).filter((c) => !ps.some((p) => p.code === c && p.findingId === 'C-0099'))).toEqual([]);
  });

  it('a finding removed from the register while the journal still has it', async () => {
    await editFindings((file) => void (file.findings = file.findings.filter((f) => f.id !== draft.id)));
    expect(await problemsOnDisk()).toEqual([expect.objectContaining({ code: 'finding-missing', findingId: draft.id })]);
  });

  it('evidence rows edited under an unchanged seal', async () => {
    const file = await editFindings((file) => {
      const ev = file.findings.find((x) => x.id === signed.id)!.evidence[0] as SnapshotEvidence;
      ev.rows[0]![ev.columns.findIndex((c) => c.name === 'montant')] = 999_999;
    });
    const evId = file.findings.find((x) => x.id === signed.id)!.evidence[0]!.id;
    const ps = await problemsOnDisk();
    expect(ps).toContainEqual(expect.objectContaining({ code: 'evidence-seal-broken', findingId: signed.id, evidenceId: evId }));
  });

  it('evidence rows edited and sealed again: not the evidence the journal recorded', async () => {
    const f = parseFindingsFile(cleanFindings, 'test').findings.find((x) => x.id === signed.id)!;
    const ev = structuredClone(f.evidence[0]) as SnapshotEvidence;
    ev.rows[0]![ev.columns.findIndex((c) => c.name === 'montant')] = 999_999;
    const resealed = await sealEvidence<SnapshotEvidence>(ev);
    await editFindings((file) => void (file.findings.find((x) => x.id === signed.id)!.evidence[0] = resealed));
    const ps = await problemsOnDisk();
    expect(ps).toContainEqual(expect.objectContaining({ code: 'evidence-not-journaled', evidenceId: ev.id }));
    expect(codes(ps)).not.toContain('evidence-seal-broken');
  });

  it('an investigation rewritten, and one made up', async () => {
    const inv = await createInvestigation(s, { name: 'Mandats 2023', description: 'Doubles paiements.' }, { by: alice.name });
    // A legitimate change: the state every later test starts from.
    cleanFindings = await readFile(findingsPath(), 'utf8');
    cleanJournal = await readFile(journalPath(), 'utf8');
    expect(await problemsOnDisk()).toEqual([]);
    await editFindings((file) => {
      file.investigations.find((x) => x.id === inv.id)!.description = 'Aucune anomalie.';
      file.investigations.push({ ...inv, id: 'E-0099', name: 'Enquête close par le Directeur' });
    });
    const ps = await problemsOnDisk();
    expect(ps.map((p) => [p.code, p.investigationId])).toEqual([
      ['investigation-content-mismatch', inv.id],
      ['investigation-not-journaled', 'E-0099'],
    ]);
  });

  it('a history step pointing at another entry of the journal', async () => {
    await editFindings((file) => {
      const h = file.findings.find((x) => x.id === signed.id)!.history.at(-1)!;
      h.journal.seq -= 1;
    });
    expect(await problemsOnDisk()).toEqual([expect.objectContaining({ code: 'history-mismatch', findingId: signed.id })]);
  });
});

describe('four-eyes', () => {
  let s: Session;
  beforeAll(async () => {
    s = await newProject('quatre-yeux');
  }, 60_000);

  it('refuses the editor who swapped the owner while in review, and « Alice\\u200b Martin »', async () => {
    const a = { by: alice.name, signer: alice };
    let f = await createFinding(s, { title: 'Avance non régularisée' }, a);
    f = await submitForReview(s, f.id, a);
    f = await updateFinding(s, f.id, { owner: 'Bruno Roux' }, a);
    await expect(signOff(s, f.id, a)).rejects.toThrow(/un autre relecteur/);
    await expect(signOff(s, f.id, { by: 'Alice\u200b Martin' })).rejects.toThrow(/un autre relecteur/);
    await expect(signOff(s, f.id, { by: 'ＡＬＩＣＥ  martin' })).rejects.toThrow(/un autre relecteur/);
    // Another name with Alice's key is still Alice.
    const aliceAgain = await makeSigner(
      { account: 'amartin', name: 'Carole Petit' },
      (await generateKeyPair(false)).privateKey,
      alice.publicKey,
    );
    await expect(signOff(s, f.id, { by: 'Carole Petit', signer: aliceAgain })).rejects.toThrow(/un autre relecteur/);
    expect((await s.findings()).get(f.id).status).toBe('in-review');
    expect(normaliseIdentity('Alice\u200b Martin\u2060')).toBe(normaliseIdentity('alice martin'));
  });

  it('a sign-off by the editor written straight into the journal is named, signature valid or not', async () => {
    const a = { by: alice.name, signer: alice };
    let f = await createFinding(s, { title: 'Marché fractionné' }, a);
    f = await submitForReview(s, f.id, a);
    // What signOff refuses to do, done by hand: Alice (as « Alice Martin\u200b ») vouches for her own finding.
    const book = await s.findings();
    await book.mutate(async (data) => {
      const g = structuredClone(data.findings.find((x) => x.id === f.id)!);
      const at = new Date().toISOString();
      g.status = 'final';
      g.signedOff = { by: 'Alice Martin\u200b', at };
      g.updatedAt = at;
      const contentSha256 = await findingContentSha256(g);
      const signature = await signStep(
        { ...alice, name: 'Alice Martin\u200b', sign: alice.sign },
        { findingId: g.id, action: 'sign-off', contentSha256, sealSha256: await findingSealSha256(g), at },
      );
      const entry = (await s.run(findingSignOff, { findingId: g.id, by: 'Alice Martin\u200b', contentSha256, signature, at })).entry;
      g.history.push({
        at,
        by: 'Alice Martin\u200b',
        action: 'sign-off',
        journal: { seq: entry.seq, op: entry.op, hash: entry.hash, at: entry.at },
      });
      return { data: { ...data, findings: data.findings.map((x) => (x.id === g.id ? g : x)) }, value: null };
    });
    const ps = await problemsOnDisk(join(dir, 'quatre-yeux'));
    expect(ps).toEqual([expect.objectContaining({ code: 'four-eyes-violated', findingId: f.id })]);
  });
});

describe('signatures', () => {
  const lastSignOff = (entries: JournalEntry[]) =>
    entries.findLast((e) => e.op === 'finding-sign-off' && (e.params as { findingId: string }).findingId === signed.id)!;

  it('a sign-off re-signed under someone else’s key, chain recomputed: signature invalid', async () => {
    await rewriteJournal((entries) => {
      const e = lastSignOff(entries);
      const p = e.params as { signature: { publicKey: string } };
      p.signature.publicKey = mallory.publicKey;
      return entries;
    });
    expect(await problemsOnDisk()).toEqual([expect.objectContaining({ code: 'signature-invalid', findingId: signed.id })]);
  });

  it('a signature with one byte altered', async () => {
    await rewriteJournal((entries) => {
      const p = lastSignOff(entries).params as { signature: { sig: string } };
      const bytes = Uint8Array.from(atob(p.signature.sig), (c) => c.charCodeAt(0));
      bytes[5]! ^= 1;
      p.signature.sig = toBase64(bytes);
      return entries;
    });
    expect(codes(await problemsOnDisk())).toEqual(['signature-invalid']);
  });

  it('the validator’s name changed in the journal and the register together: the signature no longer covers it', async () => {
    await rewriteJournal((entries) => {
      (lastSignOff(entries).params as { by: string }).by = 'Directeur';
      return entries;
    });
    expect(codes(await problemsOnDisk())).toContain('signature-invalid');
  });

  it('a sign-off with its signature removed', async () => {
    await rewriteJournal((entries) => {
      delete (lastSignOff(entries).params as { signature?: unknown }).signature;
      return entries;
    });
    expect(await problemsOnDisk()).toEqual([expect.objectContaining({ code: 'signature-missing', findingId: signed.id })]);
  });

  it('a forger’s own valid key is valid, but not one the reader trusts', async () => {
    const file = parseFindingsFile(cleanFindings, 'test');
    const entries = parseJournal(cleanJournal).entries;
    const trustedBruno = [{ ...bruno, addedAt: '2024-01-01' }];
    expect(
      (await checkFindings(file, entries, trustedBruno)).signatures.find((c) => c.action === 'sign-off' && c.findingId === signed.id)
        ?.trusted,
    ).toBe(true);
    expect(
      (await checkFindings(file, entries, [{ ...mallory, addedAt: '2024-01-01' }])).signatures.find(
        (c) => c.action === 'sign-off' && c.findingId === signed.id,
      )?.trusted,
    ).toBe(false);
  });
});

describe('what the user sees', () => {
  async function verifyCli(): Promise<{ code: number; text: string }> {
    let text = '';
    const code = await main(['verify', '--project', project()], { out: (x) => void (text += x), err: (x) => void (text += x) });
    return { code, text };
  }

  it('`loupe verify` passes the untouched project and fails the forged one, naming the finding', async () => {
    expect((await verifyCli()).code).toBe(0);
    await editFindings((file) => {
      file.findings.find((x) => x.id === signed.id)!.effect.amount = 999_999;
      file.findings.push(madeUpFinal());
    });
    const { code, text } = await verifyCli();
    expect(code).toBe(1);
    expect(text).toContain(`${signed.id} ne correspond plus à sa dernière entrée du journal`);
    expect(text).toContain('C-0099 n’a aucune entrée dans le journal');
    expect(text).not.toContain('Journal intact');
  }, 60_000);

  it('the report prints ALTÉRÉ on the forged finding and computes its integrity line', async () => {
    await editFindings((file) => {
      file.findings.find((x) => x.id === signed.id)!.effect.amount = 999_999;
    });
    const out = join(dir, 'rapport.html');
    let err = '';
    const code = await main(
      ['report', '--project', project(), '--out', out, '--findings', `${signed.id},${draft.id}`, '--allow-personal-data'],
      { out: () => {}, err: (x) => void (err += x) },
    );
    expect(code, err).toBe(0);
    const html = await readFile(out, 'utf8');
    const section = (id: string) => html.slice(html.indexOf(`<section class="constatation" id="${id}">`)).split('</section>')[0]!;
    expect(section(signed.id)).toContain('<strong>ALTÉRÉ</strong>');
    expect(section(draft.id)).not.toContain('ALTÉRÉ');
    expect(html).toContain(`Constatations : 1 sur 2 ALTÉRÉE(S) (${signed.id})`);
    expect(html).not.toContain('conformes au journal');
  }, 120_000);

  it('an untouched project: the report says the findings match and shows who signed, with the key', async () => {
    const out = join(dir, 'rapport-ok.html');
    const code = await main(['report', '--project', project(), '--out', out, '--findings', signed.id, '--allow-personal-data'], {
      out: () => {},
      err: () => {},
    });
    expect(code).toBe(0);
    const html = await readFile(out, 'utf8');
    expect(html).not.toContain('ALTÉRÉ');
    expect(html).toContain('Constatations : 1 sur 1 conformes au journal');
    expect(html).toMatch(/Validée par Bruno Roux le [^.]+\. <span class="ok">Signature Ed25519 valide<\/span> \(clé [0-9A-F]{4} /);
    expect(html).toContain('2 valide(s)');
  }, 120_000);
});
