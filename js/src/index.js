// anywidget entry: wires the model-level store and protocol to any number of views.
// anywidget calls the default export once per widget model, so the store below is shared by
// every view of one widget (a second display shows the same rows) and outlives the views.
import { applyDiff, decodeDiff, ProtocolError, Sequencer } from "./protocol.js";
import { RowStore } from "./store.js";
import { TableView } from "./view.js";
import "./style.css";

/** Visible messages about the stream's health, shared by all views of a model. */
class Notices {
  constructor() {
    this.items = new Map(); // id -> {level, text}
    this.listeners = new Set();
  }
  set(id, level, text) {
    this.items.set(id, { level, text });
    this.emit();
  }
  clear(id) {
    if (this.items.delete(id)) this.emit();
  }
  list() {
    return [...this.items.values()];
  }
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
  const sequencer = new Sequencer();
  const notices = new Notices();
  let lost = 0;

  function onDiff(model, content, buffers) {
    const order = sequencer.accept(content.seq);
    if (order.stale) return;
    if (order.gap) {
      lost += order.gap.received - order.gap.expected;
      notices.set(
        "gap",
        "error",
        `${lost} update message(s) from the kernel were lost on the way (Jupyter drops messages ` +
          "above its rate limit): rows may be missing. Re-send them with w.reset(rows).",
      );
      model.send({ kind: "gap", ...order.gap });
    }
    let diff;
    try {
      diff = decodeDiff(content, buffers);
      applyDiff(store, diff);
    } catch (err) {
      const message = err instanceof ProtocolError ? err.message : String(err?.stack || err);
      notices.set("error", "error", `An update could not be applied: ${message}`);
      model.send({ kind: "error", seq: content?.seq ?? null, message });
      return;
    }
    if (diff.ops.some((op) => op.op === "reset")) {
      // Every row is known again: earlier losses no longer matter.
      lost = 0;
      for (const id of ["gap", "missed", "error"]) notices.clear(id);
    }
    model.send({ kind: "ack", seq: diff.seq, count: store.size });
  }

  function onWelcome(content) {
    if (sequencer.welcome(content.seq)) {
      notices.set(
        "missed",
        "warn",
        "Rows sent before this view was created (for example before a page reload) live in a " +
          "page that is gone. Call w.reset(rows) in the kernel to show them again.",
      );
    }
  }

  return {
    initialize({ model }) {
      model.on("msg:custom", (content, buffers) => {
        const kind = content?.kind;
        if (kind === "diff") onDiff(model, content, buffers || []);
        else if (kind === "welcome") onWelcome(content);
        else notices.set("unknown", "warn", `Ignored a message of unknown kind ${JSON.stringify(kind)}.`);
      });
      model.send({ kind: "hello" });
    },
    render({ model, el }) {
      const view = new TableView(el, model, store, notices);
      return () => view.destroy();
    },
  };
};
