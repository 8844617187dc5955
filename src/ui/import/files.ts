// Files from a visible <input type=file> become source files the host can resolve again.
import { blobSourceFile, type SourceFile } from '../../core/ingest/source.ts';
import type { Host } from '../../host/host.ts';

export function sourcesFromInput(host: Host, files: FileList | null): SourceFile[] {
  const list = [...(files ?? [])];
  const adopt = (host as Host & { adoptFiles?: (f: File[]) => SourceFile[] }).adoptFiles;
  if (adopt) return adopt.call(host, list);
  return list.map((f) => blobSourceFile(f, f.name, f.webkitRelativePath || f.name, f.lastModified));
}
