// « Citer ce résultat » : a French citation block for a number, a chart or a result — which dataset,
// which file (and its SHA-256, import date), which SQL, which journal entry, and a few sample rows —
// as plain text (for a note or an e-mail) and as HTML (escaped, for a report or an article draft).
import { evidenceFromResult } from '../findings/evidence.ts';
import type { ChartEvidence, PassageEvidence, SnapshotEvidence } from '../findings/model.ts';
import { passageCitation, passageReference } from '../findings/report-evidence.ts';
import type { OperationResult } from '../ops/registry.ts';
import type { Session } from '../project/session.ts';
import { escapeHtml as h, formatCell, formatDate } from './format.ts';

export interface CiteOptions {
  /** What is cited, e.g. « Montant versé en double ». */
  label?: string;
  /** The number itself, already formatted (« 12 000,50 € »). */
  value?: string;
  /** Dataset title as the publisher names it; defaults to the file name without extension. */
  datasetTitle?: string;
  /** Sample rows shown (default 3). */
  sampleRows?: number;
}

export interface Citation {
  text: string;
  html: string;
}

/**
 * Cites an operation result, a query (`{sql}`, journaled first) or a frozen snapshot or chart.
 * A result is frozen with only the sample rows, so citing never copies a large table.
 */
export async function citeResult(
  session: Session,
  target: OperationResult | { sql: string } | SnapshotEvidence | ChartEvidence | PassageEvidence,
  opts: CiteOptions = {},
): Promise<Citation> {
  // A report passage is cited as a footnote cites a published report: the words, then the reference.
  if ('kind' in target && target.kind === 'passage') {
    return {
      text: passageCitation(target),
      html: `<blockquote class="citation">\n<p>« ${h(target.quote.trim())} »</p>\n<p>${h(passageReference(target))}.</p>\n</blockquote>`,
    };
  }
  const n = opts.sampleRows ?? 3;
  const ev = 'kind' in target ? target : await evidenceFromResult(session, target, { maxRows: n });
  const text: string[] = [];
  const html: string[] = [];
  const head = opts.label ? `${opts.label}${opts.value ? ` : ${opts.value}` : ''}` : (opts.value ?? ev.title);
  text.push(`« ${head} »`);
  html.push(`<p class="citation-objet">« ${h(head)} »</p>`);

  for (const s of ev.sources) {
    const title = opts.datasetTitle ?? s.fileName.replace(/\.[^.]+$/, '');
    const line = `Source : ${title} — fichier ${s.fileName}${s.part ? ` (${s.part})` : ''}, SHA-256 ${s.sha256}, importé le ${formatDate(s.importedAt)}.`;
    text.push(line);
    html.push(
      `<p>Source : <cite>${h(title)}</cite> — fichier ${h(s.fileName)}${s.part ? ` (${h(s.part)})` : ''}, SHA-256 <code>${h(s.sha256)}</code>, importé le ${h(formatDate(s.importedAt))}.</p>`,
    );
  }
  if (!ev.sources.length) {
    text.push('Source : aucun fichier importé (résultat calculé sans table source).');
    html.push('<p>Source : aucun fichier importé (résultat calculé sans table source).</p>');
  }
  if (ev.sql.length) {
    text.push(`Requête : ${ev.sql.join(' ; ')}`);
    html.push(`<pre class="citation-sql">${h(ev.sql.join(';\n'))}</pre>`);
  }
  if (ev.journal) {
    const digest = ev.kind === 'snapshot' && ev.digest ? `, résultat ${ev.digest.digest} (${ev.digest.rows} ligne(s))` : '';
    const line = `Journal Loupe du projet « ${session.manifest.name} » : entrée n° ${ev.journal.seq} (${ev.journal.op}) du ${formatDate(ev.journal.at)}, empreinte ${ev.journal.hash}${digest}.`;
    text.push(line);
    html.push(`<p>${h(line)}</p>`);
  }
  if (ev.kind === 'snapshot' && ev.columns.length && ev.rows.length) {
    const rows = ev.rows.slice(0, n);
    text.push(`Extrait (${rows.length} ligne(s) sur ${ev.totalRows}) :`);
    text.push(ev.columns.map((c) => c.label).join(' | '));
    for (const r of rows) text.push(ev.columns.map((c, i) => formatCell(r[i], c.type)).join(' | '));
    html.push(
      `<table class="citation-extrait"><caption>${h(`Extrait (${rows.length} ligne(s) sur ${ev.totalRows})`)}</caption><thead><tr>${ev.columns.map((c) => `<th>${h(c.label)}</th>`).join('')}</tr></thead><tbody>${rows
        .map((r) => `<tr>${ev.columns.map((c, i) => `<td>${h(formatCell(r[i], c.type))}</td>`).join('')}</tr>`)
        .join('')}</tbody></table>`,
    );
  }
  return { text: text.join('\n'), html: `<blockquote class="citation">\n${html.join('\n')}\n</blockquote>` };
}
