// The Journal view in Chromium: the demo's imports listed in order, the hash chain verified, and a
// replay from the source files in a fresh engine finding every result identical.
import { describe, expect, it } from 'vitest';
import { appSession } from './session.ts';

const app = appSession();

const page = () => app.page;

describe('the Journal view', () => {
  it('lists every entry in order, the demo’s imports first, with its details', async () => {
    await page().locator('[data-testid=view-tab][data-view=journal]').click();
    await page().getByTestId('journal-entry').first().waitFor({ timeout: 30_000 });
    const seqs = await page()
      .getByTestId('journal-entry')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq'))));
    expect(seqs).toEqual(seqs.map((_, i) => i));
    const ops = await page()
      .getByTestId('journal-entry')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-op')));
    expect(ops.filter((o) => o === 'import-file').length).toBeGreaterThanOrEqual(10);
    await page().locator('[data-testid=journal-entry][data-seq="0"]').click();
    const details = page().getByTestId('journal-details');
    await details.waitFor();
    expect(await details.textContent()).toMatch(/budget-vote\.csv/);
    expect(await details.textContent()).toMatch(/[0-9a-f]{64}/);

    await page().getByTestId('journal-filter-op').selectOption('import-file');
    expect(await page().getByTestId('journal-entry').count()).toBe(ops.filter((o) => o === 'import-file').length);
    await page().getByTestId('journal-filter-op').selectOption('');
  });

  it('verifies the hash chain: intact', async () => {
    await page().getByTestId('journal-verify').click();
    const result = page().getByTestId('journal-verify-result');
    await result.waitFor({ timeout: 30_000 });
    expect(await result.getAttribute('data-ok')).toBe('true');
    expect(await result.textContent()).toMatch(/intact/);
  });

  it('replays the journal in a fresh engine: every entry identical', async () => {
    const count = await page().getByTestId('journal-entry').count();
    await page().getByTestId('journal-replay').click();
    const result = page().getByTestId('journal-replay-result');
    await result.waitFor({ timeout: 120_000 });
    expect(await result.getAttribute('data-different')).toBe('0');
    expect(Number(await result.getAttribute('data-identical'))).toBe(count);
    const lines = await page()
      .getByTestId('journal-replay-line')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-identical')));
    expect(lines).toHaveLength(count);
    expect(lines.every((x) => x === 'true')).toBe(true);
    expect(app.errors).toEqual([]);
  }, 180_000);
});
