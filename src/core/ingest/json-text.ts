// Untrusted JSON text → JS values, with errors that name the line. The nesting depth is checked first
// by a flat scan: no recursive walk of a hostile file can then overflow the stack.
import { IngestError } from './types.ts';
import { errorText } from '../util/errors.ts';

export const MAX_JSON_DEPTH = 256;

export function decodeJsonBytes(bytes: Uint8Array): string {
  const text = new TextDecoder('utf-8').decode(bytes);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export function lineAt(text: string, position: number): number {
  let line = 1;
  const end = Math.min(position, text.length);
  for (let i = 0; i < end; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Throws when brackets nest deeper than `max` (strings are skipped). */
export function checkDepth(text: string, fileName: string, max = MAX_JSON_DEPTH, firstLine = 1): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > max) {
        throw new IngestError(`JSON imbriqué sur plus de ${max} niveaux : structure refusée`, fileName, firstLine - 1 + lineAt(text, i));
      }
    } else if (c === 93 || c === 125) depth--;
  }
}

/** JSON.parse with the error's line number; `firstLine` shifts it when `text` is one line of a file. */
export function parseJson(text: string, fileName: string, firstLine = 1): unknown {
  checkDepth(text, fileName, MAX_JSON_DEPTH, firstLine);
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = errorText(e);
    // V8 gives a position for some errors only: find the offending character ourselves.
    const pos = /position (\d+)/.exec(msg);
    const at = pos ? Number(pos[1]) : syntaxErrorOffset(text);
    const line = at === null ? undefined : firstLine - 1 + lineAt(text, at);
    const reason = msg.replace(/\s*in JSON at position \d+.*$/s, '').replace(/, ".*" is not valid JSON$/s, '');
    throw new IngestError(`JSON invalide (${reason})`, fileName, line);
  }
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERAL = /true|false|null/y;

/** Offset of the first JSON syntax error, found without recursion; null when the text is valid. */
export function syntaxErrorOffset(text: string): number | null {
  const stack: ('[' | '{')[] = [];
  type State = 'value' | 'valueOrClose' | 'key' | 'keyOrClose' | 'colon' | 'after' | 'done';
  let state: State = 'value';
  let i = 0;
  const sticky = (re: RegExp): boolean => {
    re.lastIndex = i;
    if (!re.test(text)) return false;
    i = re.lastIndex;
    return true;
  };
  while (true) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) return state === 'done' ? null : i;
    const c = text[i]!;
    switch (state) {
      case 'done':
        return i;
      case 'colon':
        if (c !== ':') return i;
        i++;
        state = 'value';
        continue;
      case 'key':
      case 'keyOrClose':
        if (c === '}' && state === 'keyOrClose') break;
        if (!sticky(STRING)) return i;
        state = 'colon';
        continue;
      case 'after':
        if (c === ',') {
          i++;
          state = stack.at(-1) === '{' ? 'key' : 'value';
          continue;
        }
        if ((c === ']' && stack.at(-1) === '[') || (c === '}' && stack.at(-1) === '{')) break;
        return i;
      case 'value':
      case 'valueOrClose':
        if (c === ']' && state === 'valueOrClose') break;
        if (c === '[' || c === '{') {
          stack.push(c);
          i++;
          state = c === '[' ? 'valueOrClose' : 'keyOrClose';
          continue;
        }
        if (!(sticky(STRING) || sticky(NUMBER) || sticky(LITERAL))) return i;
        state = stack.length ? 'after' : 'done';
        continue;
    }
    // A closing bracket.
    stack.pop();
    i++;
    state = stack.length ? 'after' : 'done';
  }
}
