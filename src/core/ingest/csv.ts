import { IngestError, type Reader } from './types.ts';

export const readCsv: Reader = async (ctx) => {
  throw new IngestError('format csv pas encore pris en charge', ctx.file.name);
};
