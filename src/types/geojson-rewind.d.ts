// @mapbox/geojson-rewind ships no types: `rewind(geojson, clockwise)` reorders rings in place and
// returns its argument.
declare module '@mapbox/geojson-rewind' {
  export default function rewind<T>(geojson: T, clockwise?: boolean): T;
}
