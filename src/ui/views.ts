// The views of the main area, each loaded when first shown. A view is a folder of src/ui with one
// top-level component; add it here (and its label `view.<id>` in the shell's catalogue) to show its tab.
import type { Component } from 'svelte';
import type { MessageKey } from '../i18n/index.ts';

export type ViewId = 'table' | 'sql' | 'charts' | 'budget' | 'audit' | 'reports' | 'findings' | 'journal';

export interface ViewEntry {
  id: ViewId;
  label: MessageKey;
  load: () => Promise<{ default: Component }>;
}

export const VIEWS: ViewEntry[] = [
  { id: 'table', label: 'view.table', load: () => import('./table/TableView.svelte') },
  { id: 'sql', label: 'view.sql', load: () => import('./sql/SqlView.svelte') },
  { id: 'charts', label: 'view.charts', load: () => import('./charts/ChartsView.svelte') },
  { id: 'budget', label: 'view.budget', load: () => import('./budget/BudgetView.svelte') },
  { id: 'audit', label: 'view.audit', load: () => import('./audit/AuditView.svelte') },
  { id: 'reports', label: 'view.reports', load: () => import('./reports/ReportsView.svelte') },
  { id: 'findings', label: 'view.findings', load: () => import('./findings/FindingsView.svelte') },
  { id: 'journal', label: 'view.journal', load: () => import('./journal/JournalView.svelte') },
];
