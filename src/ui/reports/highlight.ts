// A passage cut into plain and marked pieces from the search's [start, end) offsets: the view renders
// each piece as a text node or a <mark>, so a report's text is never parsed as HTML.
export interface Piece {
  text: string;
  mark: boolean;
}

export function pieces(text: string, marks: readonly (readonly [number, number])[]): Piece[] {
  const out: Piece[] = [];
  let at = 0;
  for (const [a, b] of [...marks].sort((x, y) => x[0] - y[0])) {
    const start = Math.max(a, at);
    const end = Math.min(b, text.length);
    if (end <= start) continue;
    if (start > at) out.push({ text: text.slice(at, start), mark: false });
    out.push({ text: text.slice(start, end), mark: true });
    at = end;
  }
  if (at < text.length) out.push({ text: text.slice(at), mark: false });
  return out;
}
