// @ts-check
// anywidget entry: wires the model-level store and protocol to any number of views.
// anywidget calls the default export once per widget model, so the store below is shared by
// every view of one widget (a second display shows the same rows) and outlives the views.
import { Acks } from "./acks.js";
import { answerFetch } from "./export.js";
import { applyDiff, decodeDiff, ProtocolError } from "./protocol.js";
import { Receiver } from "./receiver.js";
import { loadSnapshot, snapshotSteps, snapshotText } from "./snapshot.js";

// A live page sends the kernel a snapshot of its first rows once the stream has been quiet this
// long (ms), and at least this often while it streams: off the hot path, bounded.
const SNAPSHOT_QUIET = 1000;
const SNAPSHOT_EVERY = 10000;
const SNAPSHOT_SLICE = 8; // ms of work at a time while a snapshot is built
import { RowStore } from "./store.js";
import { TableView } from "./view.js";
import "./style.css";

/** @typedef {import("./types.js").BrowserMessage} BrowserMessage */
/** @typedef {import("./types.js").DiffContent} DiffContent */
/** @typedef {import("./types.js").FetchMessage} FetchMessage */
/** @typedef {import("./types.js").KernelMessage} KernelMessage */
/** @typedef {import("./types.js").LostMessage} LostMessage */
/** @typedef {import("./types.js").Model} Model */
/** @typedef {import("./types.js").Notice} Notice */
/** @typedef {import("./types.js").WelcomeMessage} WelcomeMessage */
/** @typedef {import("./types.js").WireBuffer} WireBuffer */

/** Visible messages about the stream's health, shared by all views of a model (a NoticeBoard). */
class Notices {
  constructor() {
    /** @type {Map<string, Notice>} */
    this.items = new Map();
    /** @type {Set<() => void>} */
    this.listeners = new Set();
  }
  /**
   * @param {string} id one notice per id: setting it again replaces it
   * @param {Notice["level"]} level
   * @param {string} text
   */
  set(id, level, text) {
    this.items.set(id, { level, text });
    this.emit();
  }
  /** @param {string} id */
  clear(id) {
    if (this.items.delete(id)) this.emit();
  }
  list() {
    return [...this.items.values()];
  }
  /** @param {() => void} fn */
  onChange(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  emit() {
    for (const fn of this.listeners) fn();
  }
}

export default () => {
  const store = new RowStore();
  const notices = new Notices();
  // Identifies this front-end instance to the kernel, which tracks acknowledgements per front end.
  const frontend = Math.random().toString(36).slice(2) + Date.now().toString(36);
  /** @type {Model | null} set by initialize, before any message */
  let model = null;
  let welcomed = false;
  let snapshot = false; // the store shows a saved snapshot, not live rows

  /**
   * @param {BrowserMessage} message
   * @param {ArrayBuffer[] | ArrayBufferView[]} [buffers]
   */
  function send(message, buffers) {
    try {
      /** @type {Model} */ (model).send(message, undefined, buffers);
    } catch {
      // No kernel behind this page (an exported page renders saved state): nothing to tell.
    }
  }

  const acks = new Acks((seq) => send({ kind: "ack", seq, count: store.size, frontend }));

  function dropSnapshot() {
    if (!snapshot) return;
    snapshot = false;
    store.reset();
    notices.clear("snapshot");
  }

  /**
   * @param {DiffContent} content
   * @param {WireBuffer[]} buffers
   */
  function apply(content, buffers) {
    let diff;
    dropSnapshot(); // live rows replace the saved ones
    try {
      diff = decodeDiff(content, buffers);
      applyDiff(store, diff);
    } catch (err) {
      const message = err instanceof ProtocolError ? err.message : String(/** @type {Error | undefined} */ (err)?.stack || err);
      notices.set("error", "error", `An update could not be applied: ${message}`);
      send({ kind: "error", seq: content?.seq ?? null, message, frontend });
      return;
    }
    if (diff.ops.some((op) => op.op === "reset")) {
      // Every row is known again: earlier losses no longer matter.
      for (const id of ["lost", "missed", "error"]) notices.clear(id);
    }
    acks.applied(diff.seq);
    scheduleSnapshot();
  }

  let quiet = 0; // timer: the stream has been quiet for SNAPSHOT_QUIET
  let due = 0; // when a snapshot is due at the latest (while the stream goes on)
  function scheduleSnapshot() {
    const m = /** @type {Model} */ (model);
    if (!((m.get("snapshot_rows") ?? 0) > 0)) return;
    clearTimeout(quiet);
    if (!due) due = Date.now() + SNAPSHOT_EVERY;
    quiet = window.setTimeout(sendSnapshot, Math.max(0, Math.min(SNAPSHOT_QUIET, due - Date.now())));
  }
  let building = 0; // timer: the next slice of a snapshot being built
  function sendSnapshot() {
    due = 0;
    if (building) return; // one at a time; the one being built is at most a slice old
    const m = /** @type {Model} */ (model);
    const total = store.size;
    const steps = snapshotSteps(store, m.get("snapshot_rows") ?? 0, m.get("snapshot_bytes") ?? 0);
    // A live feed's first rows each sit in a batch of their own, and serialising 1,000 of them
    // takes tens of ms: build in slices of SNAPSHOT_SLICE ms, so frames and diffs go on.
    const step = () => {
      building = 0;
      const until = performance.now() + SNAPSHOT_SLICE;
      for (;;) {
        const r = steps.next();
        if (r.done) {
          const { ids, buffers } = r.value;
          // Exact-size copies: a host may send a view's whole backing buffer.
          send({ kind: "snapshot", frontend, ids, total }, buffers.map((b) => b.slice()));
          return;
        }
        if (performance.now() > until) {
          building = window.setTimeout(step, 0);
          return;
        }
      }
    };
    step();
  }

  const receiver = new Receiver({
    apply,
    send: (message) => send({ ...message, frontend }),
    notify(event) {
      if (event.type === "waiting") {
        notices.set("waiting", "warn", `Waiting for ${event.count} missed update(s) to be sent again…`);
      } else if (event.type === "recovered") {
        notices.clear("waiting");
      } else if (event.type === "lost") {
        notices.clear("waiting");
        notices.set(
          "lost",
          "error",
          `${event.count} update message(s) were lost on the way and could not be sent again ` +
            "(Jupyter drops messages above its rate limit): rows may be missing. " +
            "Send them again with w.reset(rows).",
        );
      }
    },
  });

  /** @param {WelcomeMessage} content */
  function onWelcome(content) {
    if (welcomed) return;
    welcomed = true;
    if (receiver.welcome(content.seq, content.resend_from ?? null) && !content.replay) {
      notices.set(
        "missed",
        "warn",
        "Rows sent before this view was created (for example before a page reload) live in a " +
          "page that is gone. Call w.reset(rows) in the kernel to show them again, or create the " +
          "widget with replay=... to have them replayed.",
      );
    }
  }

  /** @type {Set<string>} fetches being answered; removed when the kernel says it is done */
  const fetching = new Set();
  /** @param {FetchMessage} content */
  function onFetch(content) {
    const request = String(content.request);
    fetching.add(request);
    // Snapshot rows are not live rows: a page showing one answers with none.
    const rows = snapshot ? new RowStore() : store;
    void answerFetch({
      store: rows,
      model: /** @type {Model} */ (model),
      request,
      order: content.order === "stream" ? "stream" : "display",
      send: (message, buffers) => send({ ...message, frontend }, buffers.map((b) => b.slice())),
      ended: () => !fetching.has(request),
    }).finally(() => fetching.delete(request));
  }

  return {
    /** @param {{ model: Model }} widget */
    initialize({ model: m }) {
      model = m;
      model.on("msg:custom", (data, bufs) => {
        // As sent by the kernel; what it holds is checked where it is used.
        const content = /** @type {KernelMessage | null | undefined} */ (data);
        const buffers = /** @type {WireBuffer[] | null | undefined} */ (bufs);
        const kind = content?.kind;
        try {
          if (kind === "diff") receiver.receive(/** @type {DiffContent} */ (content), buffers || []);
          else if (kind === "welcome") onWelcome(/** @type {WelcomeMessage} */ (content));
          else if (kind === "fetch") onFetch(/** @type {FetchMessage} */ (content));
          else if (kind === "fetch_end") fetching.delete(String(/** @type {{ request: unknown }} */ (content).request));
          else if (kind === "lost") {
            const lost = /** @type {LostMessage} */ (content);
            receiver.gone(lost.from, lost.to);
          }
          else notices.set("unknown", "warn", `Ignored a message of unknown kind ${JSON.stringify(kind)}.`);
        } catch (err) {
          notices.set("error", "error", `A message from the kernel was malformed: ${/** @type {Error} */ (err).message}`);
        }
      });
      // After anywidget has delivered the messages it queued while this module loaded, so the
      // kernel learns which diffs this front end already has.
      // Repeated until the kernel answers: a hello sent while a reloaded page's kernel
      // connection is still settling can be lost (the kernel replays at most once per front end).
      const hello = () => {
        if (welcomed) return;
        send({ kind: "hello", frontend, expected: receiver.expected, first: receiver.first, count: snapshot ? 0 : store.size });
        setTimeout(hello, 1000);
      };
      setTimeout(hello, 0);
      try {
        if (loadSnapshot(store, model.get("_snapshot")) > 0) {
          snapshot = true;
          notices.set("snapshot", "info", snapshotText(model.get("snapshot_info") ?? {}));
        }
      } catch (err) {
        notices.set("error", "error", `The saved snapshot could not be read: ${/** @type {Error} */ (err).message}`);
      }
    },
    /** @param {{ model: Model, el: HTMLElement }} view */
    render({ model, el }) {
      const view = new TableView(el, model, store, notices);
      return () => view.destroy();
    },
  };
};
