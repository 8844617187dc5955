// Where the window was and how big, kept in a small JSON in userData. The file is read defensively:
// anything odd gives the default size rather than an off-screen or giant window.
import { renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from '../src/node/fs-atomic.ts';

const Coord = z.number().int().min(-100_000).max(100_000);
export const WindowState = z.object({
  x: Coord.optional(),
  y: Coord.optional(),
  width: z.number().int().min(800).max(20_000),
  height: z.number().int().min(500).max(20_000),
  maximized: z.boolean().default(false),
});
export type WindowState = z.infer<typeof WindowState>;

export const DEFAULT_WINDOW_STATE: WindowState = { width: 1400, height: 900, maximized: false };

export async function loadWindowState(file: string): Promise<WindowState> {
  try {
    const text = await readFile(file, 'utf8');
    if (text.length > 10_000) return DEFAULT_WINDOW_STATE;
    const r = WindowState.safeParse(JSON.parse(text));
    return r.success ? r.data : DEFAULT_WINDOW_STATE;
  } catch {
    return DEFAULT_WINDOW_STATE;
  }
}

export async function saveWindowState(file: string, state: WindowState): Promise<void> {
  const r = WindowState.safeParse(state);
  if (r.success) await writeFileAtomic(file, JSON.stringify(r.data));
}

/** For the window's `close` event: the app may quit before an asynchronous write would finish. */
export function saveWindowStateSync(file: string, state: WindowState): void {
  const r = WindowState.safeParse(state);
  if (!r.success) return;
  try {
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(r.data));
    renameSync(tmp, file);
  } catch {
    // Losing the window's position is not worth an error at quit.
  }
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The saved state made visible on today's screens: a position on a monitor that is gone is dropped
 * (the system centres the window) and the size never exceeds the largest screen.
 */
export function fitToDisplays(state: WindowState, areas: readonly Rect[]): WindowState {
  if (!areas.length) return state;
  const maxW = Math.max(...areas.map((a) => a.width));
  const maxH = Math.max(...areas.map((a) => a.height));
  const width = Math.max(800, Math.min(state.width, maxW));
  const height = Math.max(500, Math.min(state.height, maxH));
  const { x, y } = state;
  // The title bar's first 100×40 px must be on some screen, or the user cannot grab the window.
  const grabbable =
    x !== undefined && y !== undefined && areas.some((a) => x >= a.x && y >= a.y && x + 100 <= a.x + a.width && y + 40 <= a.y + a.height);
  return grabbable ? { ...state, width, height } : { width, height, maximized: state.maximized };
}
