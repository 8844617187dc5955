// SIRET numbers: 9-digit SIREN + 5-digit NIC, both Luhn-valid, as INSEE issues them.
import type { Rng } from './random.ts';

export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** The digit that makes `partial + digit` Luhn-valid. */
export function luhnCheckDigit(partial: string): string {
  for (let c = 0; c <= 9; c++) if (luhnValid(partial + c)) return String(c);
  throw new Error('unreachable');
}

/** Associations registered in Paris usually have SIRENs starting 3, 4, 5, 7 or 8; none starts with 0 here. */
export function makeSiren(rng: Rng): string {
  const head = String(rng.pick([3, 4, 5, 7, 8])) + rng.digits(7);
  return head + luhnCheckDigit(head);
}

export function makeSiret(rng: Rng, siren = makeSiren(rng)): string {
  const nic = '000' + String(rng.int(1, 9));
  const partial = siren + nic;
  return partial + luhnCheckDigit(partial);
}
