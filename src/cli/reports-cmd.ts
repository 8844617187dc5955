// `loupe import-reports` and `loupe search-reports`: the reports library's operations with the
// arguments a terminal user types (the same as `loupe run import-reports --params '{"path":…}'`).
import { resolve } from 'node:path';
import type { Session } from '../core/project/session.ts';

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

export async function cmdImportReports(session: Session, paths: string[], io: Io): Promise<number> {
  if (!paths.length) throw new Error('indiquez un fichier PDF ou un dossier de rapports');
  const { importReports } = await import('../core/reports/index.ts');
  let failures = 0;
  for (const p of paths) {
    const res = await session.run(
      importReports,
      { path: resolve(p) },
      { onProgress: (pr) => io.err(`\r${pr.message.padEnd(70).slice(0, 70)}`) },
    );
    io.err('\n');
    io.out(`${res.summary ?? ''}\n`);
    for (const r of res.detail?.reports ?? []) {
      if (r.etat !== 'ok' || r.message) io.err(`${r.etat === 'ok' ? 'attention' : r.etat} : ${r.path} — ${r.message ?? r.etat}\n`);
      if (r.etat === 'chiffré' || r.etat === 'illisible') failures++;
    }
  }
  return failures ? 1 : 0;
}

export async function cmdSearchReports(
  session: Session,
  query: string,
  opts: { format: string; limit?: string; yearFrom?: string; yearTo?: string; services?: string[] },
  io: Io,
): Promise<number> {
  if (!query.trim()) throw new Error('indiquez les mots cherchés, par ex. loupe search-reports "régies d’avances" --project DIR');
  const { searchReports } = await import('../core/reports/index.ts');
  const int = (v: string | undefined, what: string) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n)) throw new Error(`${what} attend un nombre entier, pas « ${v} »`);
    return n;
  };
  const params = {
    query,
    ...(opts.limit !== undefined ? { limit: int(opts.limit, '--limit') } : {}),
    ...(opts.yearFrom !== undefined ? { yearFrom: int(opts.yearFrom, '--from') } : {}),
    ...(opts.yearTo !== undefined ? { yearTo: int(opts.yearTo, '--to') } : {}),
    ...(opts.services?.length ? { services: opts.services } : {}),
  };
  const res = await session.run(searchReports, params);
  const d = res.detail!;
  if (opts.format === 'json') {
    io.out(JSON.stringify({ summary: res.summary ?? null, ...d, journal: { seq: res.entry.seq, hash: res.entry.hash } }) + '\n');
    return 0;
  }
  io.out(`${res.summary ?? ''}\n\n`);
  for (const h of d.hits) {
    // Marks shown as [[…]] in a terminal: no colour codes in files or pipes.
    let s = '';
    let at = 0;
    for (const [a, b] of h.marques) {
      s += `${h.extrait.slice(at, a)}[[${h.extrait.slice(a, b)}]]`;
      at = b;
    }
    s += h.extrait.slice(at);
    io.out(
      `${h.rang}. ${h.titre ?? h.fichier} (${h.identifiant_du_rapport}) — p. ${h.page} — score ${h.score.toFixed(3).replace('.', ',')}\n   ${s.replace(/\s*\n\s*/g, ' ')}\n`,
    );
  }
  return 0;
}
