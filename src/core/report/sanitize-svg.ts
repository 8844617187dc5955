// The SVG that charts render to is kept as evidence and inlined into reports; it may come from someone
// else's project. sanitize-html (a maintained allow-list sanitiser built on htmlparser2, no DOM, so it
// runs the same in Node, the worker and the renderer) keeps shapes, text and local references, and
// nothing that can run, load or cover the page: no script or handler, no reference outside the
// document (`url(http…)`, `image-set(…)`, `xlink:href="javascript:…"`), no CSS property outside the
// short list a chart uses (so no `position:fixed` overlay, no `background`, no `content`).
import sanitizeHtml from 'sanitize-html';

const ELEMENTS = [
  'svg',
  'g',
  'path',
  'rect',
  'circle',
  'ellipse',
  'line',
  'polyline',
  'polygon',
  'text',
  'tspan',
  'title',
  'desc',
  'defs',
  'clipPath',
  'linearGradient',
  'radialGradient',
  'stop',
  'use',
  'marker',
  'pattern',
  'mask',
  'symbol',
];

/** Presentation properties: allowed as attributes and inside `style`. */
const PRESENTATION = [
  'fill',
  'fill-opacity',
  'fill-rule',
  'stroke',
  'stroke-width',
  'stroke-opacity',
  'stroke-dasharray',
  'stroke-dashoffset',
  'stroke-linecap',
  'stroke-linejoin',
  'stroke-miterlimit',
  'opacity',
  'font-family',
  'font-size',
  'font-weight',
  'font-style',
  'text-anchor',
  'dominant-baseline',
  'alignment-baseline',
  'letter-spacing',
  'paint-order',
  'shape-rendering',
  'text-rendering',
  'visibility',
  'display',
  'pointer-events',
  'cursor',
];

const ATTRIBUTES = [
  ...PRESENTATION,
  'id',
  'class',
  'x',
  'y',
  'x1',
  'y1',
  'x2',
  'y2',
  'cx',
  'cy',
  'r',
  'rx',
  'ry',
  'd',
  'points',
  'width',
  'height',
  'viewBox',
  'transform',
  'dx',
  'dy',
  'rotate',
  'clip-path',
  'clip-rule',
  'mask',
  'offset',
  'stop-color',
  'stop-opacity',
  'gradientUnits',
  'gradientTransform',
  'patternUnits',
  'markerWidth',
  'markerHeight',
  'refX',
  'refY',
  'orient',
  'marker-start',
  'marker-mid',
  'marker-end',
  'preserveAspectRatio',
  'role',
  'aria-label',
  'aria-roledescription',
  'aria-hidden',
  'focusable',
  'vector-effect',
  'href',
  'xlink:href',
  'style',
];

/** A CSS value with no function but colours and local `url(#id)`: what chart styles hold. */
const SAFE_VALUE = /^(?:[#\w\s.,%+-]|rgba?\([\d\s.,%]*\)|hsla?\([\d\s.,%deg]*\)|url\(\s*['"]?#[\w-]+['"]?\s*\))*$/i;
const STYLE_PROPERTIES = [...PRESENTATION, 'font-variant', 'white-space', 'mix-blend-mode', 'isolation'];

/** Any reference that is not a local `#fragment`, or anything that reads like script or a CSS escape. */
function isExternalRef(v: string): boolean {
  const urls = [...v.matchAll(/url\(\s*(['"]?)([^'")]*)\1\s*\)/gi)].map((m) => m[2]!.trim());
  return urls.some((u) => !u.startsWith('#')) || /(^|[^a-z])(javascript|vbscript|data)\s*:|expression\s*\(|image-set|@import|\\/i.test(v);
}

// `allowedEmptyAttributes` is in sanitize-html 2.18 but not yet in its published types.
const OPTIONS: sanitizeHtml.IOptions & { allowedEmptyAttributes: string[] } = {
  allowedTags: ELEMENTS,
  allowedAttributes: { '*': ATTRIBUTES },
  // An empty attribute (Vega writes `d=""` on hidden paths) must stay `d=""`: a bare `d` is HTML, not XML,
  // and a chart drawn through <img src="data:image/svg+xml…"> would not load.
  allowedEmptyAttributes: ATTRIBUTES,
  allowedStyles: { '*': Object.fromEntries(STYLE_PROPERTIES.map((p) => [p, [SAFE_VALUE]])) },
  // Elements dropped with everything inside them (the text of a script or of an embedded HTML page).
  nonTextTags: [
    'script',
    'style',
    'foreignObject',
    'iframe',
    'object',
    'embed',
    'audio',
    'video',
    'image',
    'a',
    'animate',
    'set',
    'animateTransform',
    'animateMotion',
    'handler',
    'listener',
    'textarea',
    'noscript',
  ],
  disallowedTagsMode: 'discard',
  allowedSchemes: [],
  allowedSchemesAppliedToAttributes: [],
  allowProtocolRelative: false,
  allowVulnerableTags: false,
  // SVG is case-sensitive (viewBox, clipPath); empty elements come out as <rect …></rect>, valid inline.
  parser: { xmlMode: true, lowerCaseTags: false, lowerCaseAttributeNames: false, recognizeSelfClosing: true, decodeEntities: true },
  selfClosing: [],
  transformTags: {
    '*': (tagName, attribs) => {
      const kept: Record<string, string> = {};
      for (const [name, value] of Object.entries(attribs)) {
        const clean = value.replace(/[\u0000-\u001f\u007f]/g, '');
        if (name === 'href' || name === 'xlink:href') {
          if (clean.trim().startsWith('#')) kept[name] = clean;
        } else if (!isExternalRef(clean)) kept[name] = clean;
      }
      return { tagName, attribs: kept };
    },
  },
};

/** Returns SVG that keeps shapes, text and local references, and nothing that can run or load. */
export function sanitizeSvg(svg: string): string {
  const out = sanitizeHtml(svg, OPTIONS).trim();
  // Whatever is not one svg document (stray text, a bare shape) is not a chart.
  return /^<svg[\s>]/.test(out) ? out : '';
}
