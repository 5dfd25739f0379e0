// lz4js ships no types: the one function codecs.js uses.
declare module "lz4js" {
  /** Decodes one LZ4 frame; `maxSize` bounds the output (read from the frame when omitted). */
  export function decompress(src: Uint8Array, maxSize?: number): Uint8Array;
  const lz4: { decompress: typeof decompress };
  export default lz4;
}
