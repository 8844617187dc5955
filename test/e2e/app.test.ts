import { describe, expect, it } from 'vitest';
import { binaryBytes, paymentLine, paymentsCsv } from '../fixtures/e2e-fixtures.ts';
import { appSession } from './session.ts';

const app = appSession();

const page = () => app.page;
const item = (name: string) => page().locator(`[data-testid=catalog-item][data-table="${name}"]`);

async function importViaPicker(name: string, content: string | Uint8Array) {
  await page()
    .getByTestId('file-input')
    .setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(content) });
}

describe('the app in Chromium', () => {
  it('opens on the demo workspace, with DuckDB on one thread (src/host/engine.ts says why) and every asset served locally', async () => {
    const names = await page()
      .getByTestId('catalog-item')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-table')));
    expect(names.length).toBeGreaterThanOrEqual(8);
    expect(names).toContain('budget_vote');
    await expect.poll(() => page().getByTestId('status-engine').textContent()).toMatch(/browser-eh/);
    expect(app.requests.some((u) => u.endsWith('.wasm'))).toBe(true);
    expect(app.requests.filter((u) => /coi/.test(u))).toEqual([]);
    expect(app.errors).toEqual([]);
  });

  it('imports a CSV chosen with the file picker, showing the sniffed options first', async () => {
    await importViaPicker('paiements.csv', paymentsCsv(500));
    const dialog = page().getByTestId('import-dialog');
    await dialog.waitFor();
    await expect.poll(() => dialog.textContent()).toMatch(/;/);
    await page().getByTestId('import-confirm').click();
    await item('paiements').waitFor();
    await expect.poll(() => item('paiements').textContent()).toMatch(/500/);
  });

  it('shows the imported table in the grid with French number formatting', async () => {
    await item('paiements').click();
    await expect.poll(() => page().getByTestId('grid-rowcount').textContent()).toMatch(/500/);
    const first = page().locator('[data-testid=grid-row][data-row-index="0"]');
    await first.waitFor();
    const expected = paymentLine(1).split(';');
    const text = (await first.textContent()) ?? '';
    expect(text).toContain(expected[0]);
    expect(text).toContain(expected[4]); // "1 234,56"-style: a decimal comma survives as a number shown fr-FR
  });

  it('imports a file dropped on the window', async () => {
    const dt = await page().evaluateHandle((csv) => {
      const d = new DataTransfer();
      d.items.add(new File([csv], 'depose.csv', { type: 'text/csv' }));
      return d;
    }, paymentsCsv(30));
    const zone = page().getByTestId('drop-zone');
    await zone.dispatchEvent('dragenter', { dataTransfer: dt });
    await zone.dispatchEvent('dragover', { dataTransfer: dt });
    await zone.dispatchEvent('drop', { dataTransfer: dt });
    const confirm = page().getByTestId('import-confirm');
    if (await confirm.isVisible().catch(() => false)) await confirm.click();
    else
      await page()
        .getByTestId('import-dialog')
        .waitFor({ timeout: 5000 })
        .then(() => confirm.click())
        .catch(() => undefined);
    await item('depose').waitFor();
    await expect.poll(() => item('depose').textContent()).toMatch(/30/);
  });

  it('scrolls a 200 000-row table to its end, fetching only the visible window', async () => {
    await importViaPicker('grand.csv', paymentsCsv(200_000));
    await page().getByTestId('import-confirm').click();
    await item('grand').waitFor({ timeout: 60_000 });
    await item('grand').click();
    await expect.poll(() => page().getByTestId('grid-rowcount').textContent()).toMatch(/200\s?000/);
    const grid = page().getByTestId('grid');
    await grid.evaluate((el) => (el.scrollTop = el.scrollHeight));
    const last = page().locator('[data-testid=grid-row][data-row-index="199999"]');
    await last.waitFor({ timeout: 15_000 });
    await expect.poll(() => last.textContent(), { timeout: 15_000 }).toContain(paymentLine(200_000).split(';')[0]);
    expect(await page().getByTestId('grid-row').count()).toBeLessThan(300);
  });

  it('reports a binary file named .csv by name, loses nothing, and stays usable', async () => {
    const before = await page().getByTestId('catalog-item').count();
    await importViaPicker('binaire.csv', binaryBytes());
    await expect.poll(async () => (await page().locator('body').textContent()) ?? '').toMatch(/binaire\.csv/);
    expect(await page().getByTestId('catalog-item').count()).toBe(before);
    await item('paiements').click();
    await expect.poll(() => page().getByTestId('grid-rowcount').textContent()).toMatch(/500/);
  });

  it('saves the project and finds every table again after a reload', async () => {
    await page().getByTestId('save-project').click();
    const names = async () =>
      page()
        .getByTestId('catalog-item')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-table')).sort());
    const before = await names();
    await page().reload();
    await item('paiements').waitFor({ timeout: 60_000 });
    await expect.poll(names).toEqual(before);
    await item('paiements').click();
    await expect.poll(() => page().getByTestId('grid-rowcount').textContent()).toMatch(/500/);
  });
});
