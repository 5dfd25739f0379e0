// Browser benchmark entry: the real front-end code (js/src) driven from Playwright.
// Bundled with esbuild into a temp dir by benchmarks/browser_bench.py; exposes `window.lsw`.
import { tableFromIPC } from "apache-arrow";
import { RowStore } from "../../js/src/store.js";
import { ready as codecsReady } from "../../js/src/codecs.js";
import { applyDiff, decodeDiff } from "../../js/src/protocol.js";
import { snapshotSteps } from "../../js/src/snapshot.js";
import { TableView } from "../../js/src/view.js";
import "../../js/src/style.css";
import { afterFrame, frameLoop, scrollLoop } from "./frames.js";
import { summariesStream } from "./summaries.js";

const sets = new Map(); // name -> [{content, buffers: DataView[]}] as JupyterLab hands them over
let store = null;
let view = null;

async function load(name) {
  const manifest = await (await fetch("manifest.json")).json();
  const messages = await Promise.all(
    manifest[name].map(async (m) => ({
      content: m.content,
      buffers: await Promise.all(m.buffers.map(async (url) => new DataView(await (await fetch(url)).arrayBuffer()))),
    })),
  );
  sets.set(name, messages);
  const bytes = messages.reduce((n, m) => n + m.buffers.reduce((k, b) => k + b.byteLength, 0), 0);
  return { messages: messages.length, bytes };
}

function unload(name) {
  sets.delete(name);
}

// decodeDiff + applyDiff for every message of a set into a fresh store, as index.js does.
function decodeApply(name) {
  if (view) throw new Error("destroy the view first");
  store = null;
  const s = new RowStore();
  let decode = 0;
  let apply = 0;
  const t0 = performance.now();
  for (const m of sets.get(name)) {
    const a = performance.now();
    const diff = decodeDiff(m.content, m.buffers);
    const b = performance.now();
    applyDiff(s, diff);
    const c = performance.now();
    decode += b - a;
    apply += c - b;
  }
  const total = performance.now() - t0;
  store = s;
  return { total, decode, apply, size: s.size, chunks: s.chunkCount, blocks: s.blockCount };
}

// Floor 1: apache-arrow reading the same IPC bytes (what any Arrow front end pays).
function arrowFloor(name) {
  let rows = 0;
  const t0 = performance.now();
  for (const m of sets.get(name)) {
    for (const b of m.buffers) rows += tableFromIPC(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)).numRows;
  }
  return { total: performance.now() - t0, rows };
}

// Floor 2: the least a store keying each row separately must do: read the IPC bytes, get every
// row's key and index it in a Map (the store's range entries for consecutive integer keys,
// ids.js, can beat it). No order, no handles, no pruning. Protocol 2 sends default dom ids as the
// integer `key` column (the store indexes prefix + n by the number n): the key is that column
// read as numbers (two 32-bit halves per int64, no BigInt). Other ids come as the `__dom_id`
// strings: one TextDecoder call per batch, then slices (the ids are ASCII).
const ascii = new TextDecoder();
function indexKeys(index, table, key) {
  for (const data of table.getChild(key ?? "__dom_id").data) {
    if (key) {
      const v = data.values;
      const halves = new Uint32Array(v.buffer, v.byteOffset, 2 * data.length);
      for (let i = 0; i < data.length; i++) index.set(halves[2 * i + 1] * 0x100000000 + halves[2 * i], i);
    } else {
      const offs = data.valueOffsets;
      const base = offs[0];
      const text = ascii.decode(data.values.subarray(base, offs[data.length]));
      for (let i = 0; i < data.length; i++) index.set(text.slice(offs[i] - base, offs[i + 1] - base), i);
    }
  }
}

function keyFloor(name) {
  const index = new Map();
  const t0 = performance.now();
  for (const m of sets.get(name)) {
    for (const op of m.content.ops) {
      if (op.op !== "insert") continue;
      const b = m.buffers[op.buffer];
      indexKeys(index, tableFromIPC(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)), op.key);
    }
  }
  return { total: performance.now() - t0, rows: index.size };
}

function makeView(rows) {
  const host = document.getElementById("host");
  const el = document.createElement("div");
  host.append(el);
  const state = { height: "400px", empty_message: "No rows yet", columns: store.columns };
  const model = { get: (k) => state[k], on() {}, off() {} };
  const notices = { onChange: () => () => {}, list: () => [] };
  return { el, make: () => new TableView(el, model, rows, notices) };
}

// Time from `new TableView` over the whole store to its first rendered frame. With `empty`,
// the same over an empty store: the floor (a view's fixed cost plus waiting for the frame).
async function render(empty = false) {
  if (view) view.destroy();
  view = null;
  document.getElementById("host").replaceChildren();
  await afterFrame();
  const rows = empty ? new RowStore() : store;
  const { el, make } = makeView(rows);
  const t0 = performance.now();
  view = make();
  void el.offsetHeight; // style + layout of the first draw
  const sync = performance.now() - t0;
  await afterFrame();
  const frame = performance.now() - t0;
  const shown = el.querySelectorAll("[data-dom-id]");
  const result = {
    sync,
    frame,
    domRows: shown.length,
    firstRowOk: empty || (shown.length > 0 && shown[0].dataset.domId === store.domIdAt(0)),
    storeSize: rows.size,
  };
  if (empty) destroyView();
  return result;
}

// Scroll `.lsw-scroll` through n positions, one per animation frame (frames.js), timing the
// view's own draw() too.
async function scroll(n, mode) {
  const sc = view.root.querySelector(".lsw-scroll");
  const draws = [];
  const draw = view.draw;
  view.draw = function timedDraw() {
    const t = performance.now();
    draw.call(this);
    draws.push(performance.now() - t);
  };
  const loop = await scrollLoop(sc, n, mode);
  await afterFrame();
  delete view.draw;
  const rows = view.root.querySelectorAll("[data-dom-id]");
  return {
    ...loop,
    draws,
    domRows: rows.length,
    scrollTop: sc.scrollTop,
    lastRowShown: mode === "sweep" ? [...rows].some((r) => r.dataset.domId === store.domIdAt(store.size - 1)) : null,
  };
}

// The same frame loop with nothing to do: the display-rate floor of the two figures above.
function idle(n) {
  return frameLoop(n);
}

// The snapshot a live page sends its kernel (index.js, once its stream is quiet): the first
// rows of the store as Arrow IPC parts, built step by step (a page yields between steps, so
// the longest step is the longest the page is busy with it at once).
function snapshot(maxRows, maxBytes) {
  const steps = snapshotSteps(store, maxRows, maxBytes);
  let longest = 0;
  let r;
  const t0 = performance.now();
  for (;;) {
    const a = performance.now();
    r = steps.next();
    longest = Math.max(longest, performance.now() - a);
    if (r.done) break;
  }
  const total = performance.now() - t0;
  const { ids, buffers } = r.value;
  return { total, longest, rows: ids.length, parts: buffers.length, bytes: buffers.reduce((n, b) => n + b.byteLength, 0) };
}

// The column summaries under a stream (summaries.js); needs render() first.
function summaries(frames, perFrame) {
  return summariesStream({ store, view, key: "id", frames, perFrame });
}

function destroyView() {
  if (view) view.destroy();
  view = null;
}

function dropStore() {
  destroyView();
  store = null;
}

// Ready once the WebAssembly ZSTD decoder is, as a page decodes from then on.
codecsReady.then(() => {
  window.lsw = { load, unload, decodeApply, arrowFloor, keyFloor, snapshot, render, scroll, idle, summaries, destroyView, dropStore };
  window.lswReady = true;
});
