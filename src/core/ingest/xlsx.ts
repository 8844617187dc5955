import { IngestError, type Reader } from './types.ts';

export const readXlsx: Reader = async (ctx) => {
  throw new IngestError('format xlsx pas encore pris en charge', ctx.file.name);
};
