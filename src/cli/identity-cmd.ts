// `loupe identity` and `loupe keys`: show and export your public key, trust a colleague's. The key pair
// lives in the user's config folder (identity-store.ts); only public keys ever leave it.
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { publicKeyFile, shortFingerprint } from '../core/identity/identity.ts';
import { localIdentity, loupeHome, trustedKeys, trustKeyFile } from './identity-store.ts';

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

export async function cmdIdentity(opts: { name?: string; out?: string }, io: Io): Promise<number> {
  const me = await localIdentity(opts.name ? { name: opts.name } : {});
  io.out(
    `Identité locale : ${me.name} (compte ${me.account})\n` +
      `Empreinte de la clé : ${shortFingerprint(me.fingerprint)}  (${me.fingerprint})\n` +
      `Clé publique Ed25519 : ${me.publicKey}\n` +
      `Clé privée : ${join(loupeHome(), 'identity.json')} (lisible par vous seul, jamais dans un projet)\n`,
  );
  if (opts.out) {
    await writeFile(resolve(opts.out), publicKeyFile(me), 'utf8');
    io.out(
      `Clé publique écrite dans ${resolve(opts.out)} : transmettez ce fichier, puis lisez l’empreinte à voix haute à qui l’importe.\n`,
    );
  }
  return 0;
}

export async function cmdKeys(args: string[], io: Io): Promise<number> {
  const [sub, file] = args;
  if (sub === 'trust') {
    if (!file) throw new Error('loupe keys trust FICHIER : indiquez le fichier de clé publique reçu');
    const { key, added } = await trustKeyFile(await readFile(resolve(file), 'utf8'));
    io.out(
      `${added ? 'Clé de confiance ajoutée' : 'Clé déjà de confiance'} : ${key.name}${key.account ? ` (compte ${key.account})` : ''}, empreinte ${shortFingerprint(key.fingerprint)}\n` +
        'Vérifiez cette empreinte avec son auteur par un autre canal (téléphone, en personne) : elle seule prouve que le fichier vient de lui.\n',
    );
    return 0;
  }
  if (sub === 'list' || sub === undefined) {
    const list = await trustedKeys();
    if (!list.length) io.out('Aucune clé de confiance. Ajoutez celle d’un collègue avec « loupe keys trust FICHIER ».\n');
    for (const k of list)
      io.out(
        `${shortFingerprint(k.fingerprint)}  ${k.name}${k.account ? ` (compte ${k.account})` : ''} — ajoutée le ${k.addedAt.slice(0, 10)}\n`,
      );
    return 0;
  }
  throw new Error(`sous-commande inconnue : keys ${sub} — « loupe keys trust FICHIER » ou « loupe keys list »`);
}
