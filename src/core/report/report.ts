// Findings → one self-contained HTML file: inline CSS, charts as inline (sanitised) SVG, tables, and
// appendices that tie every number to its source files (SHA-256) and journal entries (seq, hash,
// digest). Nothing in it loads anything — no scripts, no fonts, no images, no links out — so it opens
// the same on any machine, offline, and can be printed to PDF by the host.
// Everything that comes from data or users goes through escapeHtml; SVG goes through sanitizeSvg.
import { sourceRefOf } from '../findings/evidence.ts';
import { passageReference } from '../findings/report-evidence.ts';
import { findingsOf } from '../findings/findings.ts';
import { checkFindings, type FindingsCheck, type SignatureCheck } from '../findings/integrity.ts';
import { shortFingerprint, type TrustedKey } from '../identity/identity.ts';
import { summarizeInvestigation } from '../findings/investigations.ts';
import { SEVERITY_LABEL, STATUS_LABEL, type Evidence, type Finding, type JournalRef, type SourceRef } from '../findings/model.ts';
import { journalHeadLine, type JournalEntry } from '../journal/journal.ts';
import type { Session } from '../project/session.ts';
import { verifyProject } from '../project/verify.ts';
import { chooseColumns, csvDataUrl, csvFileName, nestedValue, readableValue, snapshotCsv, type ColumnReason } from './evidence-table.ts';
import {
  escapeHtml as h,
  formatBytes,
  formatCell,
  formatDate as fDate,
  formatDateTime as fDateTime,
  formatEuro,
  localTimeZone,
  paragraphs,
} from './format.ts';
import { sanitizeSvg } from './sanitize-svg.ts';

export type ReportTarget = { findingIds: string[] } | { investigationId: string };

export interface ReportOptions {
  title?: string;
  /** Rows of each snapshot printed in the body; the full frozen snapshot stays in the project. */
  maxRows?: number;
  now?: Date;
  /** The reader's trusted public keys: each signature is shown as from a known key or not. */
  trustedKeys?: readonly TrustedKey[];
  /** Time zone of every date and time printed (default: the runtime's, as the app shows them). */
  timeZone?: string;
  /** Columns printed for a snapshot, by evidence id, as the author chose them; otherwise chooseColumns' default. */
  columns?: Readonly<Record<string, readonly string[]>>;
}

/** What one render needs besides the findings: the author's column choices and the catalog. */
interface Ctx {
  maxRows: number;
  columns: Readonly<Record<string, readonly string[]>>;
  session: Session;
}

// Set for the duration of one render (renders never interleave inside one synchronous template).
let TZ = localTimeZone();
const formatDate = (iso: string | null | undefined) => fDate(iso, TZ);
const formatDateTime = (iso: string | null | undefined) => fDateTime(iso, TZ);

const CSS = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1b1b1b;margin:2rem auto;max-width:60rem;line-height:1.45;padding:0 1rem}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{font-size:1.3rem;border-bottom:2px solid #1b1b1b;padding-bottom:.2rem;margin-top:2.5rem}
h3{font-size:1.05rem;margin:1.2rem 0 .3rem}h4{font-size:.95rem;margin:.8rem 0 .3rem}
.meta{color:#555;font-size:.9rem}.montant{font-weight:600}
table{border-collapse:collapse;margin:.5rem 0;font-size:.85rem;width:100%}
th,td{border:1px solid #bbb;padding:.2rem .4rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}th{background:#eee}
table.preuve td,table.preuve th{overflow-wrap:break-word}table.preuve td.long{overflow-wrap:anywhere}
table.preuve{table-layout:fixed}thead{display:table-header-group}tr{page-break-inside:avoid}
.sources{font-size:.8rem;color:#333;margin:.3rem 0}.sources li{overflow-wrap:anywhere}
a.csv{font-size:.85rem}footer{margin-top:2rem;border-top:1px solid #bbb;padding-top:.4rem;font-size:.8rem;color:#555;overflow-wrap:anywhere}
td.n{text-align:right;font-variant-numeric:tabular-nums}
code,.hash{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.8rem;word-break:break-all}
pre{white-space:pre-wrap;background:#f6f6f6;padding:.5rem;font-size:.8rem;border:1px solid #ddd}
figure{margin:1rem 0;padding:.5rem;border:1px solid #ddd;page-break-inside:avoid}figcaption{font-weight:600;margin-bottom:.3rem}
.badge{display:inline-block;padding:0 .4rem;border:1px solid #888;border-radius:.2rem;font-size:.8rem}
.sev-critique{background:#f4c7c3}.sev-élevée{background:#fce8b2}.ok{color:#0b6b2b}.ko{color:#a30000;font-weight:600}
.chart svg{max-width:100%;height:auto}
.altere{border:3px solid #a30000;color:#a30000;padding:.4rem .6rem;font-weight:600}.altere strong{font-size:1.2rem;letter-spacing:.05em}
@page{size:A4;margin:15mm 12mm}
@media print{body{margin:0;max-width:none;font-size:10pt;padding:0}h2{page-break-before:auto}section.constatation{page-break-before:always}table{font-size:8pt}details>pre{display:none}}
`;

/**
 * The report is a file that travels: opened from a mail client or a shared drive, it must stay inert
 * even if something slipped past the escaping and the SVG sanitiser. No script, no request of any kind;
 * only its own inline styles (the stylesheet and the sanitised SVG's style attributes).
 */
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

interface Trace {
  finding: string;
  evidence?: string;
  ref: JournalRef;
  what: string;
  rows?: number;
  digest?: string;
}

function statusBadge(f: Finding): string {
  return `<span class="badge">${h(STATUS_LABEL[f.status])}</span> <span class="badge sev-${h(f.severity)}">Gravité : ${h(SEVERITY_LABEL[f.severity])}</span>`;
}

function section(title: string, text: string): string {
  return text.trim() ? `<h3>${h(title)}</h3>\n${paragraphs(text)}` : '';
}

const REASON: Record<ColumnReason, string> = {
  chosen: 'choisie',
  cited: 'citée dans la constatation',
  amount: 'montant',
  key: 'identifie la ligne',
  first: 'première colonne',
};

/** A column name may break after « _ » (numero_<wbr>dossier) rather than in the middle of a word. */
function breakable(name: string): string {
  return h(name).replace(/_/g, '_<wbr>');
}

function cellText(v: unknown, type: string): string {
  const nested = nestedValue(v);
  return nested !== undefined ? readableValue(nested, (x) => formatCell(x, '', TZ)) : formatCell(v, type, TZ);
}

/**
 * Column widths from what they hold (a code gets little room, a name or an address more), so that on
 * A4 cells wrap between words instead of the table running off the page or cutting « Associati|on ».
 */
function colgroup(shown: readonly { index: number; column: { label: string; type: string } }[], rows: readonly unknown[][]): string {
  // A column is at least as wide as its longest word (and header piece, the header breaking after « _ »),
  // so no word is cut; past that it grows with its text, a long one (an address, a JSON) capped.
  const longestWord = (t: string) => Math.max(0, ...t.split(/\s+|(?<=_)/).map((w) => w.length));
  const weights = shown.map(({ index, column }) => {
    const texts = rows.map((r) => cellText(r[index], column.type));
    // Headers are bold: their letters take about a third more room.
    const word = Math.min(24, Math.max(Math.ceil(longestWord(column.label) * 1.35), ...texts.map(longestWord))) + 3;
    return Math.max(6, word, Math.min(30, Math.max(0, ...texts.map((t) => t.length))));
  });
  const sum = weights.reduce((a, b) => a + b, 0);
  return `<colgroup>${weights.map((w) => `<col style="width:${((100 * w) / sum).toFixed(1)}%">`).join('')}</colgroup>`;
}

function cellHtml(v: unknown, type: string): string {
  const text = cellText(v, type);
  // Words wrap between words; only a token too long for any column (a URL, an identifier) is cut anywhere.
  const cls = typeof v === 'number' ? ' class="n"' : /\S{28,}/.test(text) ? ' class="long"' : '';
  return `<td${cls}>${h(text)}</td>`;
}

function snapshotTable(f: Finding, e: Extract<Evidence, { kind: 'snapshot' }>, ctx: Ctx): string {
  if (!e.columns.length) return '';
  const rows = e.rows.slice(0, ctx.maxRows);
  const choice = chooseColumns(f, e, ctx.columns[e.id]);
  const head = choice.shown
    .map(({ column: c }) => `<th>${breakable(c.label)}${c.label !== c.name ? `<br><code>${breakable(c.name)}</code>` : ''}</th>`)
    .join('');
  const body = rows.map((r) => `<tr>${choice.shown.map(({ index, column }) => cellHtml(r[index], column.type)).join('')}</tr>`).join('\n');
  const more =
    e.totalRows > rows.length
      ? `<p class="meta">${h(`${rows.length} ligne(s) affichée(s) sur ${e.totalRows} ; ${e.rows.length} figée(s) dans la preuve, l’empreinte du journal couvre le résultat entier.`)}</p>`
      : '';
  const hidden = choice.total - choice.shown.length;
  const why = `<p class="meta">${h(`Colonnes affichées : ${choice.shown.length} sur ${choice.total}`)}${hidden ? h(` (${choice.shown.map((x) => `${x.column.label} : ${REASON[x.reason]}`).join(' ; ')})`) : ''}.</p>`;
  const name = csvFileName(f.id, e.id);
  const csv = `<p class="meta">Données complètes (${h(String(choice.total))} colonne(s), ${h(String(e.rows.length))} ligne(s) figée(s)) : fichier joint <a class="csv" download="${h(name)}" href="${h(csvDataUrl(snapshotCsv(e)))}">${h(name)}</a> (CSV, séparateur « ; »).</p>`;
  return `${why}<table class="preuve" data-evidence="${h(e.id)}">${colgroup(choice.shown, rows)}<thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>${more}${csv}`;
}

/** Tables, files (SHA-256) and, for a map, the GeoJSON behind a figure: a reader can fetch the same files and check them. */
function sourceChain(e: Extract<Evidence, { kind: 'snapshot' | 'chart' }>, ctx: Ctx): string {
  const refs: { ref: SourceRef; role: string }[] = [];
  const spec = e.kind === 'chart' ? (e.spec as { map?: { kind?: unknown } }) : {};
  const geoTable = geoTableOf(e);
  for (const r of e.sources) refs.push({ ref: r, role: r.table === geoTable ? 'fond de carte (GeoJSON)' : 'données' });
  const lines = refs.map(
    ({ ref: r, role }) =>
      `<li>${h(role)} : table <code>${h(r.table)}</code> ← fichier <strong>${h(r.fileName)}</strong>${r.part ? ` (${h(r.part)})` : ''}${r.importedAt ? `, importé le ${h(formatDate(r.importedAt))}` : ''}, SHA-256 <span class="hash">${h(r.sha256)}</span></li>`,
  );
  // Evidence frozen before its map's geometry was traced: the GeoJSON as the project holds it now, said so.
  if (geoTable && !refs.some((x) => x.ref.table === geoTable)) {
    const p = ctx.session.catalog.get(geoTable)?.source;
    lines.push(
      p
        ? `<li>fond de carte (GeoJSON) : table <code>${h(geoTable)}</code> ← fichier <strong>${h(p.fileName)}</strong>, SHA-256 <span class="hash">${h(p.sha256)}</span> (lu dans le projet au moment du rapport)</li>`
        : `<li class="ko">fond de carte (GeoJSON) : table <code>${h(geoTable)}</code> — aucun fichier connu dans le projet</li>`,
    );
  }
  if (spec.map?.kind === 'tiles')
    lines.push('<li>fond de carte : grille des 20 arrondissements intégrée à Loupe (aucun fichier de géométrie)</li>');
  if (!lines.length) return '<p class="sources">Sources : aucun fichier importé (résultat calculé sans table source).</p>';
  return `<div class="sources">Sources :<ul>${lines.join('')}</ul></div>`;
}

function sqlBlock(sql: readonly string[]): string {
  return sql.length ? `<details><summary>Requête SQL</summary><pre>${h(sql.join(';\n\n'))}</pre></details>` : '';
}

function journalLine(ref: JournalRef | null): string {
  return ref
    ? `<p class="meta">Journal : entrée n° ${ref.seq} (<code>${h(ref.op)}</code>), empreinte <span class="hash">${h(ref.hash)}</span></p>`
    : '';
}

function evidenceHtml(f: Finding, e: Evidence, ctx: Ctx): string {
  const cap = `<figcaption>${h(e.title)} <span class="meta">— preuve ${h(e.id)}, figée le ${h(formatDateTime(e.createdAt))}</span></figcaption>`;
  if (e.kind === 'snapshot') {
    return `<figure>${cap}${e.summary ? `<p>${h(e.summary)}</p>` : ''}${snapshotTable(f, e, ctx)}${sourceChain(e, ctx)}${sqlBlock(e.sql)}${journalLine(e.journal)}</figure>`;
  }
  if (e.kind === 'chart') {
    // The spec's $schema is a URL the report has no use for; everything else is shown as data.
    const { $schema: _s, ...spec } = e.spec;
    return `<figure class="chart">${cap}${sanitizeSvg(e.svg)}${sourceChain(e, ctx)}<details><summary>Spécification du graphique</summary><pre>${h(JSON.stringify(spec, null, 2))}</pre></details>${sqlBlock(e.sql)}${journalLine(e.journal)}</figure>`;
  }
  if (e.kind === 'passage') {
    // The quote as the report has it (escaped, line breaks kept), then the reference a reader can check.
    return `<figure class="passage" data-evidence="${h(e.id)}">${cap}<blockquote class="citation-rapport"><p>${h(e.quote).replace(/\n/g, '<br>')}</p></blockquote><p class="reference">${h(passageReference(e))}</p>${e.query ? `<p class="meta">Trouvé par la recherche « ${h(e.query)} »</p>` : ''}${journalLine(e.journal)}</figure>`;
  }
  const s = e.source;
  return `<figure>${cap}<p>Fichier <strong>${h(s.fileName)}</strong>${s.part ? ` (${h(s.part)})` : ''}, table <code>${h(s.table)}</code>${e.rows !== undefined ? `, ${e.rows} ligne(s)` : ''}, importé le ${h(formatDate(s.importedAt))} — SHA-256 <span class="hash">${h(s.sha256)}</span></p></figure>`;
}

/** The last sign-off of a finding, as the journal holds it and as its signature checks. */
function signOffCheck(f: Finding, check: FindingsCheck): SignatureCheck | undefined {
  return check.signatures.filter((c) => c.findingId === f.id && c.action === 'sign-off').at(-1);
}

function signatureText(c: SignatureCheck | undefined): string {
  if (!c || c.valid === null) return ' <span class="ko">Signature manquante : rien ne prouve qui a validé.</span>';
  if (!c.valid) return ' <span class="ko">Signature invalide : la validation a été modifiée ou signée avec une autre clé.</span>';
  const key = `clé ${h(shortFingerprint(c.fingerprint ?? ''))}${c.account ? `, compte « ${h(c.account)} »` : ''}`;
  return ` <span class="ok">Signature Ed25519 valide</span> (${key}) — ${c.trusted ? '<span class="ok">clé de confiance</span>' : '<span class="ko">clé absente de vos clés de confiance</span>'}.`;
}

function investigationBanner(id: string, check: FindingsCheck): string {
  const why = check.problems
    .filter((p) => p.investigationId === id)
    .map((p) => `<li>${h(p.message)}</li>`)
    .join('');
  return why
    ? `<div class="altere" role="alert"><strong>ALTÉRÉ</strong> — cette enquête ne correspond plus au journal du projet.<ul>${why}</ul></div>`
    : '';
}

function alteredBanner(f: Finding, check: FindingsCheck): string {
  if (!check.altered.has(f.id)) return '';
  const why = check.problems
    .filter((p) => p.findingId === f.id)
    .map((p) => `<li>${h(p.message)}</li>`)
    .join('');
  return `<div class="altere" role="alert"><strong>ALTÉRÉ</strong> — cette constatation ne correspond plus au journal du projet ou à ses preuves scellées ; elle ne peut pas être tenue pour valide.<ul>${why}</ul></div>`;
}

/** The findings and signatures half of the integrity line, computed from the check, never assumed. */
function findingsIntegrity(findings: readonly Finding[], check: FindingsCheck): string {
  if (!findings.length) return '';
  const altered = findings.filter((f) => check.altered.has(f.id)).map((f) => f.id);
  const sigs = check.signatures.filter((c) => findings.some((f) => f.id === c.findingId));
  const valid = sigs.filter((c) => c.valid === true);
  const invalid = sigs.filter((c) => c.valid === false).length;
  const missing = sigs.filter((c) => c.valid === null).length;
  const trusted = valid.filter((c) => c.trusted).length;
  const reg = altered.length
    ? `<p class="ko">Constatations : ${altered.length} sur ${findings.length} ALTÉRÉE(S) (${h(altered.join(', '))}) — leur contenu, leurs preuves ou leur historique ne correspondent plus au journal.</p>`
    : `<p class="ok">Constatations : ${findings.length} sur ${findings.length} conformes au journal et à leurs preuves scellées.</p>`;
  const sig = `<p class="${invalid || missing ? 'ko' : 'ok'}">Signatures des soumissions, validations et réouvertures : ${valid.length} valide(s) dont ${trusted} de clés de confiance, ${invalid} invalide(s), ${missing} manquante(s).</p>`;
  return reg + sig;
}

function findingHtml(f: Finding, ctx: Ctx, check: FindingsCheck): string {
  const amount = f.effect.amount !== null ? `<p class="montant">Montant en jeu : ${h(formatEuro(f.effect.amount))}</p>` : '';
  const comments = f.comments.length
    ? `<h3>Relecture</h3><ul>${f.comments.map((c) => `<li><strong>${h(c.by)}</strong>, le ${h(formatDate(c.at))} : ${h(c.text)}</li>`).join('')}</ul>`
    : '';
  const signed = f.signedOff
    ? `<p class="meta">Validée par ${h(f.signedOff.by)} le ${h(formatDate(f.signedOff.at))}.${signatureText(signOffCheck(f, check))}</p>`
    : '';
  return `<section class="constatation" id="${h(f.id)}">
<h2>${h(f.id)} — ${h(f.title)}</h2>
${alteredBanner(f, check)}<p>${statusBadge(f)}</p>
<p class="meta">Responsable : ${h(f.owner)} · créée le ${h(formatDate(f.createdAt))} · mise à jour le ${h(formatDate(f.updatedAt))}${f.tags.length ? ` · étiquettes : ${h(f.tags.join(', '))}` : ''}</p>
${section('Critère', f.criteria)}
${section('Constat', f.condition)}
${section('Cause', f.cause)}
${f.effect.text.trim() || amount ? `<h3>Effet</h3>\n${paragraphs(f.effect.text)}${amount}` : ''}
${section('Recommandation', f.recommendation)}
${f.evidence.length ? `<h3>Preuves</h3>\n${f.evidence.map((e) => evidenceHtml(f, e, ctx)).join('\n')}` : ''}
${comments}${signed}
</section>`;
}

/** The map's geometry table of a chart evidence, if it draws one. */
function geoTableOf(e: Evidence): string | null {
  const map = e.kind === 'chart' ? (e.spec as { map?: { geoTable?: unknown } }).map : undefined;
  return typeof map?.geoTable === 'string' ? map.geoTable : null;
}

function sourcesOf(f: Finding, session: Session): SourceRef[] {
  return f.evidence.flatMap((e) => {
    if (e.kind === 'source') return [e.source];
    const geo = geoTableOf(e);
    const entry = geo && !e.sources.some((r) => r.table === geo) ? session.catalog.get(geo) : undefined;
    const ref = entry ? sourceRefOf(entry) : null;
    return ref ? [...e.sources, ref] : e.sources;
  });
}

function tracesOf(f: Finding): Trace[] {
  const out: Trace[] = [];
  for (const e of f.evidence) {
    if (e.kind === 'source' || !e.journal) continue;
    out.push({
      finding: f.id,
      evidence: e.id,
      ref: e.journal,
      what: e.title,
      ...(e.kind === 'snapshot' && e.digest ? { rows: e.digest.rows, digest: e.digest.digest } : {}),
    });
  }
  for (const s of f.history) out.push({ finding: f.id, ref: s.journal, what: `${s.action} — ${s.by}` });
  return out;
}

/** Is the entry the evidence points at still in the project's journal, unchanged? */
function checkRef(ref: JournalRef, entries: readonly JournalEntry[]): boolean {
  const e = entries[ref.seq];
  return !!e && e.hash === ref.hash && e.op === ref.op;
}

/**
 * The CSV attached to each snapshot of a report (the same text as its data: link), for the CLI to write
 * beside the HTML file: a reader of a shared folder opens them without going through the report.
 */
export async function reportAttachments(session: Session, target: ReportTarget): Promise<{ name: string; csv: string }[]> {
  const book = await findingsOf(session);
  const findings =
    'investigationId' in target
      ? book.list().filter((f) => f.investigationId === target.investigationId)
      : target.findingIds.map((id) => book.get(id));
  return findings.flatMap((f) =>
    f.evidence.flatMap((e) => (e.kind === 'snapshot' && e.columns.length ? [{ name: csvFileName(f.id, e.id), csv: snapshotCsv(e) }] : [])),
  );
}

export async function renderReport(session: Session, target: ReportTarget, opts: ReportOptions = {}): Promise<string> {
  const book = await findingsOf(session);
  const maxRows = opts.maxRows ?? 50;
  TZ = opts.timeZone ?? localTimeZone();
  const ctx: Ctx = { maxRows, columns: opts.columns ?? {}, session };
  let findings: Finding[];
  let intro = '';
  let title = opts.title ?? session.manifest.name;
  if ('investigationId' in target) {
    const sum = await summarizeInvestigation(session, target.investigationId);
    findings = sum.findings;
    title = opts.title ?? sum.investigation.name;
    intro = `<section><h2>Enquête ${h(sum.investigation.id)}</h2>${paragraphs(sum.investigation.description)}
<p>${sum.count} constatation(s) : ${sum.byStatus.draft} brouillon(s), ${sum.byStatus['in-review']} en relecture, ${sum.byStatus.final} définitive(s). Montant total en jeu : <span class="montant">${h(formatEuro(sum.totalAmount))}</span>${sum.withoutAmount ? ` (${sum.withoutAmount} sans montant)` : ''}.</p>
${sum.investigation.queries.length ? `<p>Requêtes enregistrées : ${sum.investigation.queries.map((q) => `<code>${h(q)}</code>`).join(', ')}</p>` : ''}
${sum.investigation.charts.map((c) => `<figure class="chart"><figcaption>${h(c.title)}</figcaption>${c.svg ? sanitizeSvg(c.svg) : ''}</figure>`).join('\n')}
</section>`;
  } else {
    findings = target.findingIds.map((id) => book.get(id));
    // Without findings the report still says what was analysed and how: every source and every entry.
    if (!findings.length)
      intro = `<section><h2>Sources et journal du projet</h2><p>Ce rapport ne contient aucune constatation : il présente les fichiers sources du projet et toutes les entrées de son journal, de quoi rejouer chaque opération.</p></section>`;
  }
  const entries = session.journal.all();
  // The journal's own checks (chain, anchored head, manifest agreement); findings are checked just below.
  const verify = await verifyProject(session.store, { checks: [] });
  const check = await checkFindings(book.data, entries, opts.trustedKeys ?? [], session.engine);
  if ('investigationId' in target) intro = investigationBanner(target.investigationId, check) + intro;
  let total: number | null = null;
  for (const f of findings) if (f.effect.amount !== null) total = (total ?? 0) + Math.round(f.effect.amount * 100);

  const synth = `<section><h2>Synthèse</h2><table><thead><tr><th>N°</th><th>Constatation</th><th>Gravité</th><th>Statut</th><th>Montant en jeu</th></tr></thead><tbody>
${findings.map((f) => `<tr><td>${h(f.id)}</td><td>${h(f.title)}</td><td>${h(SEVERITY_LABEL[f.severity])}</td><td>${h(STATUS_LABEL[f.status])}${check.altered.has(f.id) ? ' <strong class="ko">ALTÉRÉ</strong>' : ''}</td><td class="n">${h(formatEuro(f.effect.amount))}</td></tr>`).join('\n')}
</tbody><tfoot><tr><th colspan="4">Total</th><th class="n">${h(formatEuro(total === null ? null : total / 100))}</th></tr></tfoot></table></section>`;

  const sources = new Map<string, SourceRef>();
  for (const f of findings) for (const s of sourcesOf(f, session)) sources.set(`${s.sha256}:${s.path}:${s.part ?? ''}`, s);
  if (!findings.length) {
    for (const t of session.catalog.list()) {
      const p = t.source;
      if (p)
        sources.set(`${p.sha256}:${p.path}:${p.part ?? ''}`, {
          table: t.name,
          fileName: p.fileName,
          path: p.path,
          sha256: p.sha256,
          size: p.size,
          importedAt: p.importedAt,
          ...(p.part ? { part: p.part } : {}),
        });
    }
  }
  const srcRows = [...sources.values()]
    .sort((a, b) => a.fileName.localeCompare(b.fileName, 'fr'))
    .map(
      (s) =>
        `<tr><td>${h(s.fileName)}${s.part ? ` (${h(s.part)})` : ''}</td><td><code>${h(s.table)}</code></td><td class="n">${h(formatBytes(s.size))}</td><td>${h(formatDate(s.importedAt))}</td><td class="hash">${h(s.sha256)}</td></tr>`,
    )
    .join('\n');
  const traces: Trace[] = findings.length
    ? findings.flatMap(tracesOf)
    : entries.map((e) => ({
        finding: '—',
        ref: { seq: e.seq, op: e.op, hash: e.hash, at: e.at },
        what: e.summary ?? e.op,
        ...(e.output ? { rows: e.output.rows, digest: e.output.digest } : {}),
      }));
  const traceRows = traces
    .map((t) => {
      const ok = checkRef(t.ref, entries);
      return `<tr><td>${h(t.finding)}</td><td>${h(t.evidence ?? '')}</td><td>${h(t.what)}</td><td class="n">${t.ref.seq}</td><td><code>${h(t.ref.op)}</code></td><td>${h(formatDateTime(t.ref.at))}</td><td class="hash">${h(t.ref.hash)}</td><td class="hash">${h(t.digest ?? '—')}</td><td class="n">${t.rows ?? ''}</td><td class="${ok ? 'ok' : 'ko'}">${ok ? 'oui' : 'absente ou modifiée'}</td></tr>`;
    })
    .join('\n');
  const chain = verify.ok
    ? `<p class="ok">Chaîne d’empreintes du journal vérifiée : ${verify.count} entrée(s) intactes au ${h(formatDateTime((opts.now ?? new Date()).toISOString()))}.</p>`
    : `<p class="ko">Journal altéré :</p><ul class="ko">${verify.problems
        .filter((p) => p.level === 'error')
        .map((p) => `<li>${h(p.message)}</li>`)
        .join('')}</ul>`;
  // Published with the report, the head pins the journal: a later rewrite no longer ends on this hash.
  const integrity = chain + `<p class="meta">${h(journalHeadLine(verify.head))}</p>` + findingsIntegrity(findings, check);

  return `<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Loupe">
<title>${h(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header><h1>${h(title)}</h1>
<p class="meta">Projet « ${h(session.manifest.name)} » — rapport généré le ${h(formatDate((opts.now ?? new Date()).toISOString()))} — ${findings.length} constatation(s)</p></header>
${intro}
${synth}
${findings.map((f) => findingHtml(f, ctx, check)).join('\n')}
<section class="annexe"><h2>Annexe A — Fichiers sources</h2>
<p class="meta">Chaque fichier est identifié par son empreinte SHA-256 : recalculer l’empreinte d’un fichier permet de vérifier qu’il s’agit bien de celui qui a été analysé.</p>
<table><thead><tr><th>Fichier</th><th>Table</th><th>Taille</th><th>Importé le</th><th>SHA-256</th></tr></thead><tbody>
${srcRows}
</tbody></table>
<h2>Annexe B — Entrées du journal</h2>
<p class="meta">Chaque chiffre d’une preuve renvoie à une entrée du journal du projet (numéro, opération, empreinte de l’entrée, empreinte du résultat). La commande <code>loupe replay</code> rejoue ces opérations depuis les fichiers sources et compare les empreintes.</p>
${integrity}
<table><thead><tr><th>Constatation</th><th>Preuve</th><th>Objet</th><th>N°</th><th>Opération</th><th>Date</th><th>Empreinte de l’entrée</th><th>Empreinte du résultat</th><th>Lignes</th><th>Dans le journal</th></tr></thead><tbody>
${traceRows}
</tbody></table>
</section>
<footer>
<p>${h(journalHeadLine(verify.head))}</p>
<p>Heures à l’heure locale de ${h(TZ)}, fuseau indiqué après chaque heure. Rapport Loupe du projet « ${h(session.manifest.name)} ».</p>
</footer>
</body>
</html>
`;
}
