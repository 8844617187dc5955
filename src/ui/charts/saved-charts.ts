// Saved charts live in the project manifest (`charts`): an id, a name and the spec, which is also the
// parameters of the journaled `chart` operation run when saving — so a saved chart can be replayed.
import { chartOperation } from '../../core/viz/ops.ts';
import { ChartSpec } from '../../core/viz/spec.ts';
import { app } from '../app-state.svelte.ts';

export interface SavedChart {
  id: string;
  name: string;
  spec: ChartSpec;
  createdAt: string;
}

/** The manifest's charts that still parse: a hand-edited or older entry is skipped, not fatal. */
export function savedCharts(): SavedChart[] {
  const list = app.session?.manifest.charts ?? [];
  const out: SavedChart[] = [];
  for (const r of list) {
    const spec = ChartSpec.safeParse(r.spec);
    if (typeof r.id === 'string' && typeof r.name === 'string' && spec.success) {
      out.push({ id: r.id, name: r.name, spec: spec.data, createdAt: typeof r.createdAt === 'string' ? r.createdAt : '' });
    }
  }
  return out;
}

function newId(): string {
  return `c${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/** Runs the journaled `chart` operation, then records the chart in the manifest and saves the project. */
export async function saveChart(spec: ChartSpec, name: string): Promise<SavedChart> {
  const session = app.session;
  if (!session) throw new Error('no project');
  await session.run(chartOperation, spec);
  const rec: SavedChart = { id: newId(), name, spec, createdAt: new Date().toISOString() };
  session.manifest = { ...session.manifest, charts: [...session.manifest.charts, { ...rec }] };
  await session.save();
  app.chartsVersion++;
  return rec;
}

export async function deleteChart(id: string): Promise<void> {
  const session = app.session;
  if (!session) return;
  session.manifest = { ...session.manifest, charts: session.manifest.charts.filter((c) => c.id !== id) };
  await session.save();
  app.chartsVersion++;
}
