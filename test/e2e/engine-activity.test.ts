// The engine's activity list, as a user meets it: a long SQL query holds the engine, the grid still
// scrolls (its windows take the interactive connection), the table summary waits its turn in the
// normal lane and is listed as queued, and the long query is cancelled from the list — after which
// the summary fills in.
import { describe, expect, it } from 'vitest';
import { appSession } from './session.ts';

const app = appSession();
const page = () => app.page;
const byId = (id: string) => page().getByTestId(id);
const view = (id: string) => page().locator(`[data-testid=view-tab][data-view=${id}]`);
const digits = (s: string | null) => Number((s ?? '').replace(/\D/g, ''));

/** Minutes of work for the engine unless cancelled. */
const LONG = 'SELECT count(*) FROM range(5000000000) t(x) WHERE x % 7 = 3';

describe('engine activity', () => {
  it('lists running and queued work with a cancel button each, while the grid keeps scrolling', async () => {
    await view('sql').click();
    const editor = page().locator('[data-testid=sql-editor] .cm-content');
    await editor.waitFor();
    await editor.click();
    await page().keyboard.press('Control+A');
    await page().keyboard.insertText(LONG);
    await page().keyboard.press('Escape');
    await byId('sql-run').click();
    await byId('sql-cancel').waitFor();

    // The grid of a table scrolls and fills in while the long query runs.
    await view('table').click();
    await page().getByTestId('catalog-item').first().click();
    await expect.poll(async () => digits(await byId('grid-rowcount').textContent()), { timeout: 30_000 }).toBeGreaterThan(0);
    const rows = digits(await byId('grid-rowcount').textContent());
    const at = Math.min(rows - 1, 240);
    await byId('grid').evaluate((el, top) => {
      el.scrollTop = top;
      el.dispatchEvent(new Event('scroll'));
    }, at * 26);
    const row = page().locator(`[data-testid=grid-row][data-row-index="${at}"]`);
    await expect
      .poll(async () => ((await row.count()) ? (await row.textContent())!.trim().length : 0), { timeout: 20_000 })
      .toBeGreaterThan(0);
    expect(await byId('sql-cancelled').count()).toBe(0);

    // The table summary is asked for: it waits behind the long query, in the list as queued.
    await byId('summary-toggle').click();
    await byId('table-summary').waitFor();
    await byId('engine-activity-toggle').click();
    const items = page().getByTestId('engine-activity-item');
    await expect.poll(() => page().locator('[data-testid=engine-activity-item][data-state=running]').count(), { timeout: 10_000 }).toBe(1);
    const running = page().locator('[data-testid=engine-activity-item][data-state=running]');
    expect(await running.textContent()).toContain('range(5000000000)');
    expect(await running.getByTestId('engine-activity-progress').count()).toBe(1);
    const queued = page().locator('[data-testid=engine-activity-item][data-state=queued]', { hasText: 'Résumé de' });
    await expect.poll(() => queued.count(), { timeout: 10_000 }).toBe(1);
    expect(await items.getByTestId('engine-activity-cancel').count()).toBe(await items.count());
    expect(await byId('summary-row').count()).toBe(0);

    // Cancelled from the list: the engine is free, the summary fills in, the workbench says so.
    await running.getByTestId('engine-activity-cancel').click();
    await expect.poll(() => byId('summary-row').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await expect.poll(() => page().locator('[data-testid=summary-row]:not([data-stage=done])').count(), { timeout: 30_000 }).toBe(0);
    await expect.poll(() => byId('summary-distinct').count()).toBe(await byId('summary-row').count());
    await view('sql').click();
    await byId('sql-cancelled').waitFor({ timeout: 20_000 });
  }, 120_000);
});
