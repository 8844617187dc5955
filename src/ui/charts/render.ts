// Runs a chart for the UI: compiles with the texts of the current language and runs the SQL in one
// scan when the marks fit (core/viz/chart-stats.ts). Components call this and never see SQL beyond
// showing it.
import type { TableEntry } from '../../core/catalog/catalog.ts';
import type { Engine } from '../../core/engine/engine.ts';
import { runChart } from '../../core/viz/chart-stats.ts';
import type { CompiledChart, VlSpec } from '../../core/viz/compile.ts';
import { EN_MESSAGES, FR_MESSAGES } from '../../core/viz/format.ts';
import type { ChartSpec } from '../../core/viz/spec.ts';
import { locale } from '../../i18n/index.ts';

export { errorText } from '../../core/util/errors.ts';

export interface RenderedChart {
  compiled: CompiledChart;
  vegaLite: VlSpec;
  values: Record<string, unknown>[];
}

export async function renderChart(engine: Engine, spec: ChartSpec, table: TableEntry): Promise<RenderedChart> {
  const messages = locale() === 'en' ? EN_MESSAGES : FR_MESSAGES;
  const { compiled, vegaLite, values } = await runChart(engine, spec, table, { messages });
  return { compiled, vegaLite, values };
}

const PADDING = 12;
const TITLE_PX = 18;
const SUBTITLE_PX = 13;
/** Average advance of a character in the UI's sans-serif, as a share of its size (bold a little wider). */
const CHAR = 0.58;

/** Words into lines of at most `px` pixels at `size`, for titles Vega would otherwise run past the card. */
export function wrapText(text: string, px: number, size: number, bold = false): string[] {
  const per = Math.max(8, Math.floor(px / (size * (bold ? CHAR + 0.04 : CHAR))));
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > per) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.length ? lines : [text];
}

function hasChannel(view: VlSpec, ch: string): boolean {
  const enc = view.encoding as Record<string, unknown> | undefined;
  if (enc?.[ch]) return true;
  return ((view.layer as VlSpec[] | undefined) ?? []).some((l) => hasChannel(l, ch));
}

/**
 * A chart sized to its dashboard card (`width` px): the title wrapped to the card, legends between
 * the title and the marks (a card has room above and below, not beside; below, they would fall under
 * the source line), their titles and labels allowed the card's width, and
 * a continuous plot as wide as what is left beside the y axis. Nothing is cut or scrolled.
 */
export function fitToWidth(vl: VlSpec, width: number): VlSpec {
  if (!width || width < 120) return vl;
  const avail = Math.floor(width - 2 * PADDING - 24);
  const config = (vl.config ?? {}) as Record<string, Record<string, unknown>>;
  const out: VlSpec = {
    ...vl,
    config: {
      ...config,
      legend: {
        ...config.legend,
        orient: 'top',
        direction: 'horizontal',
        titleLimit: avail,
        labelLimit: Math.max(80, Math.floor(avail / 2)),
        columns: Math.max(1, Math.floor(avail / 160)),
        gradientLength: Math.min(240, avail - 40),
      },
      title: { ...config.title, limit: 0 },
    },
  };
  const title = vl.title as { text?: string | string[]; subtitle?: string | string[] } | undefined;
  if (title) {
    const lines = (t: string | string[] | undefined, size: number, bold: boolean) =>
      t === undefined ? undefined : (Array.isArray(t) ? t : [t]).flatMap((s) => wrapText(s, avail, size, bold));
    const text = lines(title.text, TITLE_PX, true);
    const subtitle = lines(title.subtitle, SUBTITLE_PX, false);
    out.title = { ...title, ...(text ? { text } : {}), ...(subtitle ? { subtitle } : {}) };
  }
  const vconcat = vl.vconcat as VlSpec[] | undefined;
  const main = vconcat?.[0];
  if (!main || !vconcat) return out;
  const footer = vconcat[1];
  const fitted: VlSpec = { ...main };
  // Fixed-step views (the tile map, bars by category) keep their step; a continuous plot fills the card.
  const x = (main.encoding as Record<string, { type?: string }> | undefined)?.x;
  const continuousX = x && (x.type === 'quantitative' || x.type === 'temporal');
  if (
    main.width === undefined &&
    (continuousX || main.projection || main.mark === 'arc' || (main.mark as { type?: string } | undefined)?.type === 'arc')
  ) {
    const yAxis = hasChannel(main, 'y') ? 90 : 0;
    fitted.width = Math.max(120, avail - yAxis);
    if (main.projection) fitted.height = Math.max(160, Math.round((fitted.width as number) * 0.75));
  }
  const source: VlSpec | undefined = footer ? { ...footer, mark: { ...(footer.mark as object), limit: 0 } } : undefined;
  if (source) {
    const enc = source.encoding as { text?: { value?: string } } | undefined;
    const text = enc?.text?.value;
    if (typeof text === 'string') {
      const lines = wrapText(text, avail, 11);
      source.encoding = { ...enc, text: { value: lines } };
      source.height = 14 * lines.length + 2;
    }
  }
  out.vconcat = [fitted, ...(source ? [source] : []), ...vconcat.slice(2)];
  return out;
}
