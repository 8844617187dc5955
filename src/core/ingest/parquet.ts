import { IngestError, type Reader } from './types.ts';

export const readParquet: Reader = async (ctx) => {
  throw new IngestError('format parquet pas encore pris en charge', ctx.file.name);
};
