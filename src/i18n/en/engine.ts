import type { engine as fr } from '../fr/engine.ts';

export const engine: Record<keyof typeof fr, string> = {
  'engine.activity.summary': '{running} running, {queued} queued',
  'engine.activity.title': 'Engine work',
  'engine.activity.running': 'running for {seconds} s',
  'engine.activity.queued': 'queued for {seconds} s',
  'engine.activity.cancel': 'Cancel',
  'engine.activity.cancelling': 'cancelling',
  'engine.activity.stuck': 'the engine does not stop: reopen the project if it no longer responds',
  'engine.activity.cancelLabel': 'Cancel: {label}',
  'engine.activity.cancelBackground': 'Cancel background work',
  'engine.activity.restart': 'Restart the engine',
  'engine.activity.restartWhy':
    'The engine does not stop: restarting saves and reopens the project in a fresh engine (its tables come back from their copies or their sources).',
  'engine.priority.interactive': 'Interactive',
  'engine.priority.normal': 'Normal',
  'engine.priority.background': 'Background',
};
