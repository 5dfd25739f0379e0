// @ts-check
// Codecs for Arrow IPC body compression (docs/protocol.md, "Buffers"). The kernel compresses
// big diffs (ZSTD by default, LZ4 frame on request); apache-arrow decodes a compressed body only
// with a codec registered in its compressionRegistry, which this module does once, on import
// (protocol.js imports it, so whatever decodes a diff has them).
//
// ZSTD: zstddec (the reference zstd decoder compiled to WebAssembly) is ~2x faster than pure JS
// fzstd on the benchmark rows, but starts asynchronously and a page's Content-Security-Policy
// may forbid WebAssembly; fzstd decodes until it is ready, and for good if it never is, so a
// compressed diff is always readable. LZ4 frame: lz4js (pure JS, ~4 KB).
import { compressionRegistry, CompressionType } from "apache-arrow";
import { decompress as fzstdDecompress } from "fzstd";
import lz4 from "lz4js";
import { ZSTDDecoder } from "zstddec";

/** @type {ZSTDDecoder | null} set once its WebAssembly is instantiated */
let wasm = null;

// Resolves once the fast ZSTD decoder is ready, or known to be unavailable (then with false).
export const ready = (async () => {
  try {
    const decoder = new ZSTDDecoder();
    await decoder.init();
    wasm = decoder;
    return true;
  } catch {
    return false; // e.g. WebAssembly forbidden here: fzstd keeps decoding
  }
})();

// apache-arrow views a decoded buffer as typed arrays in place (a Float64Array needs an offset
// that is a multiple of 8); a decoder may hand back a view at any offset of a larger buffer.
/** @param {Uint8Array} bytes */
const aligned = (bytes) => (bytes.byteOffset % 8 === 0 ? bytes : bytes.slice());

// Frames bigger than this are left to fzstd: zstddec does not check its allocations.
const MAX_WASM_BYTES = 2 ** 30;

/** Decoded with the WebAssembly decoder when it is ready, else with fzstd. @param {Uint8Array} data */
export function zstdDecode(data) {
  if (wasm !== null) {
    const size = contentSize(data);
    if (size !== null && size <= MAX_WASM_BYTES) {
      const out = wasm.decode(data, size);
      // zstddec reports no error (corrupt input gives short or made-up output); a frame that
      // does not decode to the size its header gives goes to fzstd, which throws with a reason.
      if (out.byteLength === size) return out;
    }
  }
  return aligned(fzstdDecompress(data));
}

// The decoded size a ZSTD frame header states (RFC 8878, 3.1.1.1), or null when it states none.
/** @param {Uint8Array} f */
function contentSize(f) {
  if (f.byteLength < 6 || f[0] !== 0x28 || f[1] !== 0xb5 || f[2] !== 0x2f || f[3] !== 0xfd) return null;
  const descriptor = f[4];
  const single = (descriptor >> 5) & 1; // no window descriptor, and a 1-byte size if flag 0
  const at = 5 + (single ? 0 : 1) + [0, 1, 2, 4][descriptor & 3];
  const width = [single, 2, 4, 8][descriptor >> 6];
  if (width === 0 || at + width > f.byteLength) return null;
  const view = new DataView(f.buffer, f.byteOffset + at, width);
  if (width === 1) return view.getUint8(0);
  if (width === 2) return view.getUint16(0, true) + 256;
  if (width === 4) return view.getUint32(0, true);
  return Number(view.getBigUint64(0, true));
}

/** @param {Uint8Array} data */
export function lz4Decode(data) {
  return aligned(lz4.decompress(data));
}

compressionRegistry.set(CompressionType.ZSTD, { decode: zstdDecode });
compressionRegistry.set(CompressionType.LZ4_FRAME, { decode: lz4Decode });
