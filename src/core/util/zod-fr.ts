// Zod's own messages (a missing parameter, a number out of range) reach the user next to ours, which
// are French: the French locale, set once for the whole process, whoever imports this first.
import { config } from 'zod';
import fr from 'zod/v4/locales/fr.js';

config(fr());
