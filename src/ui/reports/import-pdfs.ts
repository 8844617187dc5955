// PDF files arriving through the import entry (picker, folder, drop) go to the reports library, not to
// a table: each is kept in the project like any source, then read by the journaled `import-reports`.
import type { SourceFile } from '../../core/ingest/source.ts';
import type { Session } from '../../core/project/session.ts';
import { importReports, type ImportReportsDetail } from '../../core/reports/index.ts';
import { errorText } from '../../core/util/errors.ts';
import type { Host } from '../../host/host.ts';

export const isPdfFile = (f: { name: string }) => /\.pdf$/i.test(f.name);

export interface PdfLine {
  path: string;
  status: 'imported' | 'failed';
  tables?: string[];
  rows?: number;
  reason?: string;
  warnings?: string[];
}

export async function importPdfFiles(
  session: Session,
  host: Host,
  files: readonly SourceFile[],
  opts: {
    signal?: AbortSignal;
    onFile?: (i: number, file: SourceFile) => void;
    onProgress?: (fraction: number | null, message: string) => void;
  } = {},
): Promise<PdfLine[]> {
  const lines: PdfLine[] = [];
  for (const [i, file] of files.entries()) {
    if (opts.signal?.aborted) break;
    opts.onFile?.(i, file);
    try {
      const path = await host.keepSource(session.store, file);
      const res = await session.run(
        importReports,
        { path },
        {
          priority: 'background',
          ...(opts.signal ? { signal: opts.signal } : {}),
          onProgress: (p) => opts.onProgress?.(p.fraction ?? null, p.message ?? ''),
        },
      );
      const d = res.detail as ImportReportsDetail;
      const r = d.reports[0];
      // A scanned, encrypted or broken file is still listed (with its reason): the import ran, the text did not come.
      if (r && r.etat !== 'ok') lines.push({ path: file.path, status: 'failed', reason: `${r.etat} — ${r.message ?? ''}` });
      else
        lines.push({
          path: file.path,
          status: 'imported',
          tables: res.tables ?? [],
          rows: r?.pages ?? 0,
          ...(r?.message ? { warnings: [r.message] } : {}),
        });
    } catch (e) {
      lines.push({ path: file.path, status: 'failed', reason: errorText(e) });
    }
  }
  return lines;
}
