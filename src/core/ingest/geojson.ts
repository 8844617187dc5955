import { IngestError, type Reader } from './types.ts';

export const readGeojson: Reader = async (ctx) => {
  throw new IngestError('format geojson pas encore pris en charge', ctx.file.name);
};
