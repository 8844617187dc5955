// Importing this module registers every operation, so the app, the CLI and replay know them all.
import '../ingest/import.ts';
import '../query/sql-ops.ts';
import '../audit/index.ts';
import '../budget/index.ts';
import '../viz/ops.ts';
import '../findings/index.ts';
import '../reports/index.ts';

export { getOperation, listOperations } from './registry.ts';
