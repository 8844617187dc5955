// Message keys for the core's enumerations, so statuses and severities follow the interface language.
import type { FindingStatus, Severity } from '../../core/findings/index.ts';
import type { MessageKey } from '../../i18n/index.ts';
import { numberFormat } from '../../core/util/numbers.ts';

export const STATUSES: FindingStatus[] = ['draft', 'in-review', 'final'];
export const SEVERITIES: Severity[] = ['faible', 'moyenne', 'élevée', 'critique'];

export const STATUS_KEY: Record<FindingStatus, MessageKey> = {
  draft: 'findings.status.draft',
  'in-review': 'findings.status.inReview',
  final: 'findings.status.final',
};

export const SEVERITY_KEY: Record<Severity, MessageKey> = {
  faible: 'findings.severity.low',
  moyenne: 'findings.severity.medium',
  élevée: 'findings.severity.high',
  critique: 'findings.severity.critical',
};

export const ACTION_KEY: Record<string, MessageKey> = {
  create: 'findings.action.create',
  update: 'findings.action.update',
  submit: 'findings.action.submit',
  attach: 'findings.action.attach',
  detach: 'findings.action.detach',
  comment: 'findings.action.comment',
  'sign-off': 'findings.action.signOff',
  reopen: 'findings.action.reopen',
};

const euro = numberFormat({ style: 'currency', currency: 'EUR' });
export function formatEuro(n: number | null): string {
  return n === null ? '—' : euro.format(n);
}

export function shortHash(h: string | null | undefined, n = 12): string {
  return h ? `${h.slice(0, n)}…` : '—';
}
