// The decoders js/src/codecs.js registers, on frames pyarrow wrote (python tests/write_golden.py:
// golden/frame.bin and it compressed as LZ4 frame and ZSTD); whole diffs with compressed bodies
// are golden.test.js's codec_* and random_ops_* cases.
import { describe, it, expect } from "vitest";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { decompress as fzstdDecompress } from "fzstd";
import { lz4Decode, ready, zstdDecode } from "../src/codecs.js";

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), "golden");
const read = (name) => new Uint8Array(fs.readFileSync(path.join(dir, name)));

describe("codecs", () => {
  it("decode pyarrow's LZ4 frames and ZSTD frames to the exact bytes, at an offset arrow can view", async () => {
    const raw = read("frame.bin");
    expect(await ready).toBe(true); // node runs WebAssembly: the fast ZSTD decoder is in use
    for (const out of [lz4Decode(read("frame.lz4")), zstdDecode(read("frame.zstd"))]) {
      expect(out.byteOffset % 8).toBe(0);
      expect(Buffer.from(out).equals(Buffer.from(raw))).toBe(true);
    }
  });

  it("the pure-JS ZSTD fallback (used until, or where, WebAssembly cannot run) agrees", () => {
    const out = fzstdDecompress(read("frame.zstd"));
    expect(Buffer.from(out).equals(Buffer.from(read("frame.bin")))).toBe(true);
  });

  it("a broken frame throws instead of showing made-up rows", async () => {
    await ready;
    const lz4 = read("frame.lz4").slice(0, 40);
    lz4[0] ^= 0xff; // not a frame any more
    expect(() => lz4Decode(lz4)).toThrow();
    const zstd = read("frame.zstd");
    expect(() => zstdDecode(zstd.slice(0, 100))).toThrow(); // cut short
    const magic = zstd.slice();
    magic[0] ^= 0xff;
    expect(() => zstdDecode(magic)).toThrow();
  });
});
