// Where the window was and how big, kept in a small JSON in userData. The file is read defensively:
// anything odd gives the default size rather than an off-screen or giant window.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from './fs-atomic.ts';

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
