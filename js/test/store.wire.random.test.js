// Random op sequences over the wire path, compression and dictionaries on: every insert is an
// Arrow IPC stream written by apache-arrow (LZ4 frame compressed or not, its `word` column a
// dictionary or plain strings, by chance), decoded by decodeDiff with the codecs the widget
// registers (js/src/codecs.js) and applied by applyDiff; the store, a sorted and filtered view of
// it and each cell's text must equal a plain array model of the contract. Seeded: failures replay.
// (ZSTD bodies come from Python: golden random_ops_zstd; store.random.test.js covers the store
// alone with many more sequences.)
import { describe, it, expect } from "vitest";
import lz4 from "lz4js";
import { compressionRegistry, CompressionType, DataType, Dictionary, Int8, Int32, Int64, RecordBatchStreamWriter, Table, Utf8, vectorFromArray } from "apache-arrow";
import { lz4Decode } from "../src/codecs.js";
import { applyDiff, decodeDiff, PROTOCOL_VERSION } from "../src/protocol.js";
import { RowOrder } from "../src/order.js";
import { formatValue } from "../src/format.js";
import { RowStore } from "../src/store.js";
import { mulberry32, RefStore } from "./helpers.js";

// The widget only decodes; writing LZ4 here needs an encoder too (lz4js has one).
compressionRegistry.set(CompressionType.LZ4_FRAME, { encode: (b) => lz4.compress(b), decode: lz4Decode });

const WORDS = ["alpha", "Beta", "gamma", "ALPHA", "δέλτα", "beta", null];

/** The rows as one IPC stream: bytes, and whether they are compressed / a dictionary. */
function encodeRows(rows, rnd) {
  const dictionary = rnd() < 0.5;
  const words = rows.map((r) => r.word);
  const table = new Table({
    __dom_id: vectorFromArray(rows.map((r) => r.id), new Utf8()),
    v: vectorFromArray(rows.map((r) => r.v), new Int32()),
    big: vectorFromArray(rows.map((r) => BigInt(r.v) * 1000000007n), new Int64()), // 8-byte values
    word: dictionary ? vectorFromArray(words, new Dictionary(new Utf8(), new Int8())) : vectorFromArray(words, new Utf8()),
  });
  const compressed = rnd() < 0.7;
  const options = compressed ? { compressionType: CompressionType.LZ4_FRAME } : {};
  return { bytes: RecordBatchStreamWriter.writeAll(table, options).toUint8Array(true), compressed, dictionary };
}


// Sorted as order.js documents for strings: case-insensitive, then exact, nulls last, ties in
// stream order; filtered by the shown text.
function expectedOrder(rows, needle, descending) {
  const key = (w) => [w.toLowerCase(), w];
  const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  return rows
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => needle === "" || (r.word !== null && r.word.toLowerCase().includes(needle)))
    .sort((x, y) => {
      const a = x.r.word;
      const b = y.r.word;
      if (a === null || b === null) return (a === null) - (b === null) || x.i - y.i;
      const [a1, a2] = key(a);
      const [b1, b2] = key(b);
      const c = cmp(a1, b1) || cmp(a2, b2);
      return (descending ? -c : c) || x.i - y.i;
    })
    .map(({ r }) => r.id);
}

function run(seed, steps) {
  const rnd = mulberry32(seed);
  const int = (n) => Math.floor(rnd() * n);
  const store = new RowStore({ blockSize: 4 + (seed % 13) });
  const order = new RowOrder(store);
  const model = new RefStore();
  let v = 0;
  const seen = { compressed: 0, dictionary: 0 };
  for (let seq = 1; seq <= steps; seq++) {
    const p = rnd();
    /** @type {object[]} */
    let ops;
    const buffers = [];
    if (p < 0.03) {
      ops = [{ op: "reset" }];
      model.rows = [];
    } else if (p < 0.25) {
      const ids = Array.from({ length: int(6) + 1 }, () => `r-${int(60)}`);
      ops = [{ op: "delete", dom_ids: ids }];
      model.delete(ids);
    } else {
      const rows = Array.from({ length: int(80) + 1 }, () => ({ id: `r-${int(60)}`, v: v++, word: WORDS[int(WORDS.length)] }));
      const at = [-1, 0, int(20)][int(3)];
      const limit = [null, 25, -25, 40][int(4)];
      const { bytes, compressed, dictionary } = encodeRows(rows, rnd);
      seen.compressed += compressed ? 1 : 0;
      seen.dictionary += dictionary ? 1 : 0;
      buffers.push(bytes);
      ops = [{ op: "insert", buffer: 0, rows: rows.length, at, limit, update_only: false }];
      for (const r of rows) model.insertRow(r, at, limit, false);
    }
    applyDiff(store, decodeDiff({ kind: "diff", protocol: PROTOCOL_VERSION, seq, ops }, buffers));

    const where = `seed ${seed}, diff ${seq}`;
    expect(store.slice(0, store.size), where).toEqual(model.rows.map((r) => r.id));
    model.rows.forEach((r, i) => {
      const h = store.handleAt(i);
      if (store.valueOf(h, "v") !== r.v || store.valueOf(h, "big") !== BigInt(r.v) * 1000000007n) {
        throw new Error(`${where}: row ${i} (${r.id}) has v ${store.valueOf(h, "v")}, expected ${r.v}`);
      }
      const text = formatValue(store.cellOf(h, "word"), store.typeOf(h, "word"));
      if (text !== r.word) throw new Error(`${where}: row ${i} (${r.id}) shows ${text}, expected ${r.word}`);
    });
    if (store.size > 0) expect(DataType.isUtf8(store.fieldType("word")), where).toBe(true);
    const needle = ["", "", "al", "ta"][int(4)];
    const descending = rnd() < 0.5;
    order.configure({ sort: { column: "word", descending }, filter: needle, columns: ["word"] });
    order.refresh();
    expect(order.slice(0, order.size), `${where}: sorted by word, filter "${needle}"`).toEqual(expectedOrder(model.rows, needle, descending));
  }
  return seen;
}

describe("wire path with compression and dictionaries vs the contract, random op sequences", () => {
  it("100 sequences of 30 diffs", () => {
    const seen = { compressed: 0, dictionary: 0 };
    for (let seed = 1; seed <= 100; seed++) {
      const s = run(seed, 30);
      seen.compressed += s.compressed;
      seen.dictionary += s.dictionary;
    }
    expect(seen.compressed).toBeGreaterThan(500);
    expect(seen.dictionary).toBeGreaterThan(500);
  }, 120000);
});
