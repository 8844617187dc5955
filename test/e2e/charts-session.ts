// The session of an e2e file on the chart builder: the app opened on the demo workspace (session.ts),
// the same demo file imported again in Node for the numbers the charts must show (reference.ts), and
// the builder's fields and shelves on the app's page.
import { referenceImport } from './reference.ts';
import { appSession } from './session.ts';
import { chartField, chartShelf } from './steps.ts';

export function chartsSession(file: string) {
  const app = appSession();
  const reference = referenceImport(file);
  const page = () => app.page;
  return {
    app,
    reference,
    page,
    field: (name: string) => chartField(page(), name),
    shelf: (channel: string) => chartShelf(page(), channel),
    /** SQL run by DuckDB in Node on the reference import of the file. */
    query: (sql: string) => reference.engine.query(sql),
  };
}
