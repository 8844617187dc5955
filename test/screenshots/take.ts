// Regenerates the README's screenshots from the built app on the demo workspace:
//   npm run build && npx tsx test/screenshots/take.ts
import { openApp, stopServer } from '../e2e/harness.ts';

const app = await openApp();
const { page } = app;
try {
  await page.getByTestId('catalog-item').first().waitFor({ timeout: 60_000 });
  await page.locator('[data-testid=catalog-item][data-table="subventions_votees"]').click();
  await page.getByTestId('facets-toggle').click();
  await page.getByTestId('facet').first().waitFor();
  await page.waitForTimeout(1500);
  await page.screenshot({ path: 'test/screenshots/table.png' });

  await page.locator('[data-testid=view-tab][data-view=charts]').click();
  await page.getByTestId('chart-table').selectOption('subventions_votees');
  await page.locator('[data-testid=chart-field][data-field=montant_vote]').dragTo(page.locator('[data-testid=chart-shelf][data-channel=y]'));
  await page.locator('[data-testid=chart-field][data-field=direction]').dragTo(page.locator('[data-testid=chart-shelf][data-channel=x]'));
  await page.getByTestId('chart-preview').locator('svg').first().waitFor({ timeout: 30_000 });
  await page.waitForTimeout(1500);
  await page.screenshot({ path: 'test/screenshots/chart.png' });
} finally {
  await app.close();
  await stopServer();
}
