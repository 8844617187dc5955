import type { ZlibOptions } from 'node:zlib';

export function iconPng(): Buffer;
export function encodePng(width: number, height: number, colourType: 0 | 6, raw: Uint8Array, deflateOptions?: ZlibOptions): Buffer;
