// Hostile text from a data file — column names, values, the file's own name — shows as inert text
// wherever the app puts it: the import preview, the catalog, the table details, the grid, and, where
// those views exist, charts, findings and the HTML report. Nothing it contains ever becomes an
// element, an attribute handler, a javascript: link or an alert.
import { describe, expect, it } from 'vitest';
import { painted } from './harness.ts';
import { appSession } from './session.ts';
import { catalogTables, confirmImport, exportReport, openTab, viewTab, visitEveryView } from './steps.ts';

const PAYLOADS = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', 'javascript:alert(1)', '"><svg onload=alert(1)>'];
// A File object takes any name but a path separator (the app keeps a copy under sources/, where '/'
// becomes '_'), so the file's name carries every payload but the closing </script>.
const FILE_NAME = '<img src=x onerror=alert(1)>"><svg onload=alert(1)><script>alert(1) javascript:alert(1).csv';

function csvField(s: string): string {
  return /[";\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Four hostile columns and a number column; every cell is one of the payloads, in a known order. */
function hostileCsv(rows = 12): string {
  const head = [...PAYLOADS, 'montant'].map(csvField).join(';');
  const lines = [head];
  for (let i = 0; i < rows; i++) {
    const cells = PAYLOADS.map((_, j) => PAYLOADS[(i + j) % PAYLOADS.length]!);
    lines.push([...cells.map(csvField), String(100 + i)].join(';'));
  }
  return lines.join('\n') + '\n';
}

const alerts: string[] = [];
const app = appSession({
  // Any alert/confirm/prompt the payloads could reach is recorded and dismissed.
  ready: async ({ page }) =>
    void page.on('dialog', (d) => {
      alerts.push(`${d.type()}: ${d.message()}`);
      void d.dismiss().catch(() => undefined);
    }),
});
const page = () => app.page;

/** Everything in the document that the payloads would have created had they been parsed as HTML. */
async function injected(): Promise<string[]> {
  return page().evaluate(() => {
    const out: string[] = [];
    const describe = (el: Element) => el.outerHTML.slice(0, 160);
    document.querySelectorAll('img[src=x], img[src="x"]').forEach((e) => out.push(`img: ${describe(e)}`));
    document
      .querySelectorAll('[onerror], [onload], [onclick], [onmouseover], [onfocus]')
      .forEach((e) => out.push(`handler: ${describe(e)}`));
    document.querySelectorAll('script').forEach((s) => {
      if (!s.src || /alert/.test(s.textContent ?? '')) out.push(`script: ${describe(s)}`);
    });
    document.querySelectorAll('[href], [src], [action], [formaction], [xlink\\:href]').forEach((e) => {
      for (const a of ['href', 'src', 'action', 'formaction', 'xlink:href']) {
        if (/^\s*javascript:/i.test(e.getAttribute(a) ?? '')) out.push(`javascript url: ${describe(e)}`);
      }
    });
    document.querySelectorAll('svg').forEach((s) => {
      for (const a of Array.from(s.attributes)) if (/^on/i.test(a.name)) out.push(`svg handler: ${describe(s)}`);
    });
    return out;
  });
}

async function expectInert(where: string) {
  // An injected element is there as soon as it is parsed; what its handler would do (an alert) comes
  // after the paint at the earliest.
  await painted(page());
  expect(await injected(), `elements created from data (${where})`).toEqual([]);
  expect(alerts, `alerts (${where})`).toEqual([]);
}

let tableName = '';

describe('hostile text from a data file renders as text', () => {
  it('in the import preview: column names and values verbatim', async () => {
    await page().evaluate(
      ({ csv, name }) => {
        const input = document.querySelector('[data-testid=file-input]') as HTMLInputElement;
        const dt = new DataTransfer();
        dt.items.add(new File([csv], name, { type: 'text/csv' }));
        input.files = dt.files;
        input.dispatchEvent(new Event('change', { bubbles: true }));
      },
      { csv: hostileCsv(), name: FILE_NAME },
    );
    const dialog = page().getByTestId('import-dialog');
    await dialog.waitFor();
    await expect.poll(() => dialog.locator('table').count()).toBeGreaterThan(0);
    const heads = await dialog.locator('thead th').allTextContents();
    for (const p of PAYLOADS) expect(heads.map((h) => h.trim())).toContain(p);
    const cells = await dialog.locator('tbody td').allTextContents();
    for (const p of PAYLOADS) expect(cells).toContain(p);
    expect(await dialog.locator('h2').textContent()).toContain(FILE_NAME);
    await expectInert('import dialog');
  });

  it('in the catalog: the table and its file name', async () => {
    const before = await catalogTables(page());
    tableName = await confirmImport(page(), 30_000);
    const names = await catalogTables(page());
    expect(names.filter((n) => !before.includes(n))).toEqual([tableName]);
    const item = page().locator('[data-testid=catalog-item]').nth(names.indexOf(tableName));
    expect(await item.locator('.file').textContent()).toContain(FILE_NAME);
    expect(await item.textContent()).toContain(tableName);
    await expectInert('catalog');
  });

  it('in the table details', async () => {
    const names = await catalogTables(page());
    const toggle = page().locator('[data-testid=catalog] li').nth(names.indexOf(tableName)).locator('button[aria-expanded]');
    await toggle.click();
    await expect.poll(() => toggle.getAttribute('aria-expanded')).toBe('true');
    const details = page().locator(`[id="${await toggle.getAttribute('aria-controls')}"]`);
    await details.waitFor();
    expect(await details.textContent()).toContain(FILE_NAME);
    await expectInert('table details');
    await toggle.click();
  });

  it('in the grid: headers and cells verbatim', async () => {
    const names = await catalogTables(page());
    await openTab(page(), 'table');
    await page().getByTestId('catalog-item').nth(names.indexOf(tableName)).click();
    await expect.poll(() => page().getByTestId('grid-rowcount').textContent()).toMatch(/12/);
    await page().locator('[data-testid=grid-row][data-row-index="3"]').waitFor();
    const heads = (await page().locator('[data-testid=grid] [role=columnheader]').allTextContents()).map((h) => h.trim());
    for (const p of PAYLOADS)
      expect(
        heads.some((h) => h.includes(p)),
        `a column header reads ${p}: ${heads.join(' | ')}`,
      ).toBe(true);
    for (let i = 0; i < 4; i++) {
      const cells = (await page().locator(`[data-testid=grid-row][data-row-index="${i}"] [role=gridcell]`).allTextContents()).map((c) =>
        c.trim(),
      );
      expect(cells.slice(0, 4)).toEqual(PAYLOADS.map((_, j) => PAYLOADS[(i + j) % PAYLOADS.length]));
    }
    await expectInert('grid');
  });

  // A view or a control that has vanished fails its security check here: it is never skipped.
  it('in the Charts view: title, axes, legend and tooltips', async () => {
    expect(await viewTab(page(), 'charts').count(), 'the Charts view tab').toBe(1);
    await openTab(page(), 'charts');
    const select = page().getByTestId('chart-table');
    const field = page().locator('[data-testid=chart-field]').first();
    await select.waitFor({ timeout: 15_000 });
    await select.selectOption(tableName);
    await field.waitFor();
    // A hostile column picked: the recommendations chart its hostile categories.
    const hostileField = page().locator('[data-testid=chart-field]').filter({ hasText: PAYLOADS[1]! }).first();
    await ((await hostileField.count()) ? hostileField : field).click();
    const adopt = page().getByTestId('chart-adopt').first();
    await adopt.waitFor({ timeout: 15_000 });
    await adopt.click();
    const svg = page().locator('[data-testid=chart-preview] svg').first();
    await svg.waitFor({ timeout: 30_000 });
    const title = page().getByTestId('chart-title');
    if (await title.count()) await title.fill(PAYLOADS.join(' '));
    const svgText = async () => (await page().locator('[data-testid=chart-preview] svg').first().textContent()) ?? '';
    const shown = async () => {
      const text = await svgText();
      return PAYLOADS.filter((p) => text.includes(p)).length;
    };
    // Hostile labels (categories, then the title once redrawn) shown as text in the chart SVG.
    await expect.poll(shown, { timeout: 15_000 }).toBeGreaterThan(0);
    // Hover marks so that tooltips are drawn; whatever they hold is text.
    const marks = page().locator('[data-testid=chart-preview] svg :is(.mark-rect, .mark-symbol, .mark-arc, .mark-line) path');
    const n = Math.min(await marks.count(), 8);
    for (let i = 0; i < n; i++)
      await marks
        .nth(i)
        .hover({ force: true, timeout: 2000 })
        .catch(() => undefined);
    expect(await page().locator('[data-testid=chart-preview] foreignObject, #vg-tooltip-element :is(img, svg, script)').count()).toBe(0);
    await expectInert('charts');
  });

  it('in the Findings view and the HTML report', async () => {
    expect(await viewTab(page(), 'findings').count(), 'the Findings view tab').toBe(1);
    await openTab(page(), 'findings');
    const title = page().getByTestId('finding-new-title');
    await title.waitFor({ timeout: 15_000 });
    const hostile = PAYLOADS.join(' ');
    await title.fill(hostile);
    await page().getByTestId('finding-new').click();
    const item = page().getByTestId('finding-list-item').filter({ hasText: PAYLOADS[0]! });
    await item.first().waitFor({ timeout: 15_000 });
    expect(await item.first().textContent()).toContain(hostile);
    await expectInert('findings');

    // The report: its HTML escapes the finding's text.
    const button = page().getByTestId('report-export-html').first();
    await button.waitFor({ timeout: 5000 });
    if (await button.isDisabled()) {
      await item.first().click(); // a finding selected puts it in the report's scope
      await expect.poll(() => button.isDisabled(), { timeout: 10_000 }).toBe(false);
    }
    const html = await exportReport(page(), button);
    for (const p of ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '<svg onload=alert(1)>']) expect(html).not.toContain(p);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // Opened as a page, the report runs nothing either.
    const report = await app.context.newPage();
    const reportAlerts: string[] = [];
    report.on('dialog', (d) => {
      reportAlerts.push(d.message());
      void d.dismiss().catch(() => undefined);
    });
    await report.setContent(html); // resolves on load, after every image has loaded or failed
    await painted(report);
    expect(await report.locator('img[src=x], [onerror], [onload]').count()).toBe(0);
    expect(reportAlerts).toEqual([]);
    await report.close();
  });

  it('leaves no alert and no element made from data after visiting every view', async () => {
    await visitEveryView(page(), (id) => expectInert(`view ${id}`));
    expect(app.errors.filter((e) => /alert|onerror|onload/i.test(e))).toEqual([]);
  });
});
