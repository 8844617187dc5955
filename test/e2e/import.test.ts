// The import dialog for every format, in Chromium: a JSON file whose records sit under a path, a
// workbook of two sheets, an XML file and a CSV each open the dialog with a preview, the detected type
// of each column, the table name, the record path or sheet, the row count and the warnings; a type
// chosen there is applied, its values that do not convert are counted before and after the import.
import { describe, expect, it } from 'vitest';
import {
  BAD,
  frenchAmount,
  overrideRows,
  overridesCsv,
  overridesJson,
  overridesXlsx,
  overridesXml,
} from '../fixtures/overrides-fixtures.ts';
import { appSession } from './session.ts';

const app = appSession();
const page = () => app.page;
const item = (name: string) => page().locator(`[data-testid=catalog-item][data-table="${name}"]`);
const dialog = () => page().getByTestId('import-dialog');
const squash = (s: string | null) => (s ?? '').replace(/[\s\u00a0\u202f]/g, '');
const ROWS = overrideRows().length;

async function choose(name: string, content: string | Uint8Array, mimeType: string) {
  await page()
    .getByTestId('file-input')
    .setInputFiles({ name, mimeType, buffer: Buffer.from(content) });
  await dialog().waitFor();
  // The preview is read: the row count is shown.
  await page().getByTestId('import-row-estimate').waitFor({ timeout: 30_000 });
}

describe('one import dialog for every format', () => {
  it('JSON: records found under their path, a type chosen, its failures shown before and after the import', async () => {
    await choose('lignes_api.json', overridesJson(), 'application/json');
    expect(await page().getByTestId('import-format').textContent()).toContain('JSON');
    expect(await page().getByTestId('import-record-path').inputValue()).toBe('data.lignes');
    await expect.poll(() => page().getByTestId('import-row-estimate').textContent()).toContain(String(ROWS));
    // The reader names the other array it left aside.
    await expect.poll(() => page().getByTestId('import-warnings').textContent()).toContain('autres');

    await page().getByTestId('import-type-montant').selectOption('decimal');
    await expect.poll(() => page().getByTestId('import-warnings').textContent(), { timeout: 30_000 }).toContain(`« ${BAD.montant} »`);

    // An invalid name is refused, with its reason, and the import waits for a good one.
    const name = page().getByTestId('import-table-name');
    await name.fill('2 lignes');
    await expect.poll(() => page().getByTestId('import-confirm').isDisabled()).toBe(true);
    expect(await dialog().getByRole('alert').count()).toBeGreaterThan(0);
    await name.fill('lignes_api_typees');
    await expect.poll(() => page().getByTestId('import-confirm').isDisabled()).toBe(false);
    await page().getByTestId('import-confirm').click();

    await item('lignes_api_typees').waitFor({ timeout: 30_000 });
    await expect.poll(() => item('lignes_api_typees').textContent()).toMatch(new RegExp(String(ROWS)));
    // After the import, the warnings stay on screen in the report.
    const report = page().getByTestId('import-report-warnings');
    await report.waitFor();
    expect(await report.textContent()).toContain(`« ${BAD.montant} »`);
    // The amount is a number now: shown the French way in the grid.
    await item('lignes_api_typees').click();
    const first = page().locator('[data-testid=grid-row][data-row-index="0"]');
    await first.waitFor();
    expect(squash(await first.textContent())).toContain(squash(frenchAmount(overrideRows()[0]!.montant as number)));
    await page().getByTestId('import-report').getByRole('button').click();
  });

  it('XLSX: one preview per sheet, a sheet chosen, both sheets imported', async () => {
    await choose('classeur.xlsx', await overridesXlsx(), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const shown = page().getByTestId('import-shown-table');
    expect(await shown.locator('option').allTextContents()).toEqual(['Notes', 'Données']);
    await shown.selectOption({ label: 'Données' });
    await expect.poll(() => page().getByTestId('import-preview').textContent()).toContain('libelle');
    await expect.poll(() => page().getByTestId('import-row-estimate').textContent()).toContain(String(ROWS));
    await page().getByTestId('import-type-nb').selectOption('integer');
    await expect.poll(() => page().getByTestId('import-warnings').textContent(), { timeout: 30_000 }).toContain(`« ${BAD.nb} »`);
    await page().getByTestId('import-confirm').click();
    await item('classeur_donnees').waitFor({ timeout: 30_000 });
    await item('classeur_notes').waitFor();
    await page().getByTestId('import-report-warnings').waitFor();
    expect(await page().getByTestId('import-report-warnings').textContent()).toContain(`« ${BAD.nb} »`);
    await page().getByTestId('import-report').getByRole('button').click();
  });

  it('XML: the record element proposed and imported', async () => {
    await choose('lignes_xml.xml', overridesXml(), 'application/xml');
    expect(await page().getByTestId('import-record-path').inputValue()).toBe('lignes/ligne');
    await expect.poll(() => page().getByTestId('import-row-estimate').textContent()).toContain(String(ROWS));
    await page().getByTestId('import-confirm').click();
    await item('lignes_xml').waitFor({ timeout: 30_000 });
    await expect.poll(() => item('lignes_xml').textContent()).toMatch(new RegExp(String(ROWS)));
  });

  it('CSV: keeps its reading options, and takes a type too', async () => {
    await choose('lignes_csv.csv', overridesCsv(), 'text/csv');
    // The CSV options are still there, by their labels.
    expect(
      await dialog()
        .getByLabel(/Séparateur|Delimiter/)
        .inputValue(),
    ).toBe(';');
    await page().getByTestId('import-type-quand').selectOption('date');
    await expect.poll(() => page().getByTestId('import-warnings').textContent(), { timeout: 30_000 }).toContain(`« ${BAD.quand} »`);
    await page().getByTestId('import-confirm').click();
    await item('lignes_csv').waitFor({ timeout: 30_000 });
    await page().getByTestId('import-report-warnings').waitFor();
    expect(await page().getByTestId('import-report-warnings').textContent()).toContain(`« ${BAD.quand} »`);
    await page().getByTestId('import-report').getByRole('button').click();
  });

  it('Escape closes the dialog and imports nothing', async () => {
    const before = await page().getByTestId('catalog-item').count();
    await choose('rien.json', JSON.stringify([{ a: 1 }]), 'application/json');
    await page().keyboard.press('Escape');
    await dialog().waitFor({ state: 'detached' });
    expect(await page().getByTestId('catalog-item').count()).toBe(before);
    expect(app.errors).toEqual([]);
  });
});
