// The engine's activity indicator (queued and running queries) in the status bar.
export const engine = {
  'engine.activity.summary': '{running} en cours, {queued} en attente',
  'engine.activity.title': 'Travail du moteur',
  'engine.activity.running': 'en cours depuis {seconds} s',
  'engine.activity.queued': 'en attente depuis {seconds} s',
  'engine.activity.cancel': 'Annuler',
  'engine.activity.cancelling': 'annulation en cours',
  'engine.activity.stuck': 'le moteur ne s’arrête pas : rouvrez le projet s’il ne répond plus',
  'engine.activity.cancelLabel': 'Annuler : {label}',
  'engine.activity.cancelBackground': 'Annuler le travail de fond',
  'engine.activity.restart': 'Redémarrer le moteur',
  'engine.activity.restartWhy':
    'Le moteur ne s’arrête pas : le redémarrer enregistre et rouvre le projet dans un moteur neuf (les tables reviennent de ses copies ou de ses sources).',
  'engine.priority.interactive': 'Interactif',
  'engine.priority.normal': 'Normal',
  'engine.priority.background': 'Arrière-plan',
} as const;
