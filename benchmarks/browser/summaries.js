// The column summaries' cost per frame under a stream (bench.js exposes it as lsw.summaries):
// a view over the 1M-row store, then `frames` frames each inserting `perFrame` new rows at the
// end with limit = -(the store's size) (the last rows stay), so as many old rows are pruned
// (100k rows/s at 60 frames/s is 1,667 a frame). Per frame: the summaries' work (summaries.js applying the frame's changes,
// then the summary row's redraw: sparklines and hooks), and the store's insert of the same rows
// as the reference in the same run.
import { makeVector, Table } from "apache-arrow";
import { afterFrame } from "./frames.js";

let next = 10_000_000_000; // new ids, beyond the set's keys (and those of an earlier call)

/**
 * @param {{ store: any, view: any, key: string, frames: number, perFrame: number }} args
 *   key: the integer column the store's dom ids are made from
 */
export async function summariesStream({ store, view, key, frames, perFrame }) {
  // Batches to stream: rows of the store's first batch with new ids.
  const source = new Table(store.batchOf(store.handleAt(0)).batch);
  const batches = [];
  for (let f = 0; f < frames; f++) {
    const rows = source.slice((f * perFrame) % (source.numRows - perFrame), ((f * perFrame) % (source.numRows - perFrame)) + perFrame);
    const cols = {};
    for (const field of rows.schema.fields) cols[field.name] = rows.getChild(field.name);
    cols[key] = makeVector(BigInt64Array.from({ length: perFrame }, () => BigInt(next++)));
    batches.push(new Table(cols));
  }
  const bar = view.summaryBar;
  // The first full recompute, in the view's frames (time-sliced, BUDGET_MS each).
  const t0 = performance.now();
  let firstFrames = 0;
  while (bar.summaries === null || bar.summaries.pending) {
    await afterFrame();
    firstFrames++;
  }
  const first = performance.now() - t0;
  // Time the engine and the whole summary row per frame.
  const engine = [];
  const row = [];
  const inserts = [];
  const sum = bar.summaries;
  const update = sum.update;
  sum.update = function timed(budget) {
    const t = performance.now();
    const r = update.call(this, budget);
    engine.push(performance.now() - t);
    return r;
  };
  const draw = [];
  const barDraw = bar.draw;
  bar.draw = function timed(...args) {
    const t = performance.now();
    const r = barDraw.apply(this, args);
    draw.push(performance.now() - t);
    return r;
  };
  const barUpdate = bar.update;
  bar.update = function timed(state) {
    const t = performance.now();
    const r = barUpdate.call(this, state);
    row.push(performance.now() - t);
    return r;
  };
  for (let f = 0; f < frames; f++) {
    const t = performance.now();
    store.insert(batches[f], { at: -1, limit: -store.size, key });
    inserts.push(performance.now() - t);
    await afterFrame();
  }
  delete sum.update;
  delete bar.update;
  delete bar.draw;
  const x = sum.result("price");
  return { first, firstFrames, engine, draw, row, inserts, size: store.size, perFrame, pending: sum.pending, priceRows: x?.rows ?? null };
}
