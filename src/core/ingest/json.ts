import { IngestError, type Reader } from './types.ts';

export const readJson: Reader = async (ctx) => {
  throw new IngestError('format json pas encore pris en charge', ctx.file.name);
};
