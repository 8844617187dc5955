// An allow-list sanitiser for the SVG that charts render to, so an SVG kept as evidence (possibly
// from someone else's project) cannot run script or fetch anything when a report inlines it.
// It tokenises rather than parses: anything it does not recognise is dropped, never passed through.
// No DOM needed, so it runs the same in Node, the worker and the renderer.

const ELEMENTS = new Set([
  'svg', 'g', 'path', 'rect', 'circle', 'ellipse', 'line', 'polyline', 'polygon', 'text', 'tspan', 'title', 'desc',
  'defs', 'clippath', 'lineargradient', 'radialgradient', 'stop', 'use', 'marker', 'pattern', 'mask', 'symbol',
]);
/** Elements whose whole content goes with them: script, styles that may import, embedded HTML. */
const DROP_WITH_CONTENT = new Set(['script', 'style', 'foreignobject', 'iframe', 'object', 'embed', 'audio', 'video', 'image', 'a', 'animate', 'set', 'animatetransform', 'animatemotion', 'handler', 'listener']);

const ATTRIBUTES = new Set([
  'id', 'class', 'x', 'y', 'x1', 'y1', 'x2', 'y2', 'cx', 'cy', 'r', 'rx', 'ry', 'd', 'points', 'width', 'height', 'viewbox',
  'transform', 'fill', 'fill-opacity', 'fill-rule', 'stroke', 'stroke-width', 'stroke-opacity', 'stroke-dasharray',
  'stroke-dashoffset', 'stroke-linecap', 'stroke-linejoin', 'stroke-miterlimit', 'opacity', 'font-family', 'font-size',
  'font-weight', 'font-style', 'text-anchor', 'dominant-baseline', 'alignment-baseline', 'dx', 'dy', 'rotate',
  'clip-path', 'clip-rule', 'mask', 'offset', 'stop-color', 'stop-opacity', 'gradientunits', 'gradienttransform',
  'patternunits', 'markerwidth', 'markerheight', 'refx', 'refy', 'orient', 'marker-start', 'marker-mid', 'marker-end',
  'preserveaspectratio', 'role', 'aria-label', 'aria-roledescription', 'aria-hidden', 'focusable', 'shape-rendering',
  'text-rendering', 'letter-spacing', 'paint-order', 'vector-effect', 'pointer-events', 'cursor', 'visibility', 'display',
  'href', 'xlink:href', 'style',
]);

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);?/gi, (m, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : '';
    }
    return NAMED[e.toLowerCase()] ?? m;
  });
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A reference to something outside the document: anything but a local `#fragment`. */
function isExternalRef(v: string): boolean {
  const urls = [...v.matchAll(/url\(\s*(['"]?)([^'")]*)\1\s*\)/gi)].map((m) => m[2]!.trim());
  return urls.some((u) => !u.startsWith('#')) || /(^|[^a-z])(javascript|vbscript|data)\s*:|expression\s*\(|@import|\\/i.test(v);
}

function cleanAttrs(raw: string): string {
  const out: string[] = [];
  for (const m of raw.matchAll(/([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g)) {
    const name = m[1]!.toLowerCase();
    if (!ATTRIBUTES.has(name)) continue;
    const value = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '').replace(/[\u0000-\u001f\u007f]/g, '');
    if (name === 'href' || name === 'xlink:href') {
      if (!value.trim().startsWith('#')) continue;
    } else if (isExternalRef(value)) continue;
    out.push(`${name === 'viewbox' ? 'viewBox' : name}="${escapeAttr(value)}"`);
  }
  return out.length ? ' ' + out.join(' ') : '';
}

const CASED: Record<string, string> = {
  clippath: 'clipPath', lineargradient: 'linearGradient', radialgradient: 'radialGradient',
};

/** Returns SVG that keeps shapes, text and local references, and nothing that can run or load. */
export function sanitizeSvg(svg: string): string {
  const out: string[] = [];
  const open: string[] = [];
  let dropDepth = 0;
  const dropStack: string[] = [];
  // Comments, CDATA, doctype and processing instructions go first: they could hide markup.
  const text = svg.replace(/<!--[\s\S]*?(-->|$)/g, '').replace(/<!\[CDATA\[[\s\S]*?(\]\]>|$)/g, '').replace(/<![^>]*>?/g, '').replace(/<\?[\s\S]*?(\?>|$)/g, '');
  const re = /<\s*(\/?)\s*([a-zA-Z][\w:.-]*)((?:[^>"']|"[^"]*"|'[^']*')*?)(\/?)\s*>|([^<]+)|(<)/g;
  for (const m of text.matchAll(re)) {
    const [, closing, rawName, attrs, selfClose, body] = m;
    if (body !== undefined || m[6] !== undefined) {
      if (dropDepth === 0 && open.length) out.push(escapeText(decodeEntities(body ?? '<')));
      continue;
    }
    const name = rawName!.toLowerCase();
    if (DROP_WITH_CONTENT.has(name) || dropDepth > 0) {
      if (closing) {
        if (dropStack[dropStack.length - 1] === name) {
          dropStack.pop();
          dropDepth--;
        }
      } else if (!selfClose && DROP_WITH_CONTENT.has(name)) {
        dropStack.push(name);
        dropDepth++;
      }
      continue;
    }
    if (!ELEMENTS.has(name)) continue;
    const tag = CASED[name] ?? name;
    if (closing) {
      const at = open.lastIndexOf(tag);
      if (at < 0) continue;
      while (open.length > at) out.push(`</${open.pop()}>`);
      continue;
    }
    if (!open.length && tag !== 'svg') continue;
    if (selfClose) out.push(`<${tag}${cleanAttrs(attrs ?? '')}/>`);
    else {
      out.push(`<${tag}${cleanAttrs(attrs ?? '')}>`);
      open.push(tag);
    }
  }
  while (open.length) out.push(`</${open.pop()}>`);
  return out.join('');
}
