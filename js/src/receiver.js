// @ts-check
// Applies diffs strictly in `seq` order. A diff that arrives early (the ones before it were
// dropped on the way: the Jupyter server drops comm messages above its rate limit) is held,
// the kernel is asked once to resend the missing ones, and everything held is applied as soon
// as the hole is filled. If the kernel can no longer resend them it says "lost": the stream
// then goes on from there and the widget says rows may be missing.
import { ProtocolError } from "./protocol.js";

/** @typedef {import("./types.js").DiffContent} DiffContent */
/** @typedef {import("./types.js").GapMessage} GapMessage */
/** @typedef {import("./types.js").WireBuffer} WireBuffer */
/**
 * What the widget is told: waiting for `count` missed diffs, recovered, or `count` lost so far.
 * @typedef {{ type: "waiting", count: number } | { type: "recovered" } | { type: "lost", count: number }} ReceiverEvent
 */

export class Receiver {
  /**
   * apply(content, buffers): decode and apply one diff (may throw);
   * send(message): to the kernel; notify(event): what to tell the user.
   * @param {{ apply: (content: DiffContent, buffers: WireBuffer[]) => void,
   *   send: (message: GapMessage) => void, notify?: (event: ReceiverEvent) => void }} io
   */
  constructor({ apply, send, notify = () => {} }) {
    this.apply = apply;
    this.send = send;
    this.notify = notify;
    this.expected = 1;
    /** @type {Map<number, [DiffContent, WireBuffer[]]>} seq -> [content, buffers] */
    this.held = new Map();
    this.asked = false; // a resend request is out for the current hole
    this.lost = 0;
    this.missedStart = false; // this front end began after diffs had been sent
    /** @type {number | null} seq of the first diff applied (the kernel replays if it is not 1) */
    this.first = null;
  }

  /**
   * A diff from the kernel; returns "applied", "held" or "stale".
   * @param {DiffContent} content
   * @param {WireBuffer[]} buffers
   */
  receive(content, buffers) {
    const seq = content?.seq;
    if (!Number.isInteger(seq) || seq < 1) throw new ProtocolError(`seq must be an integer >= 1, got ${seq}`);
    if (seq < this.expected || this.held.has(seq)) return "stale";
    if (seq > this.expected && this.expected === 1 && this.held.size === 0) {
      // The first diff this front end ever sees: the ones before it were sent before it
      // existed (page reload, new tab), so the stream starts here and the rows are shown now.
      this.missedStart = true;
    } else if (seq > this.expected) {
      this.held.set(seq, [content, buffers]);
      this.ask(seq);
      return "held";
    }
    this.applyNext(content, buffers);
    this.drain();
    return "applied";
  }

  /**
   * The kernel cannot resend `from..to`: skip them (checked: they come from a message).
   * @param {number} from
   * @param {number} to
   */
  gone(from, to) {
    if (!Number.isInteger(from) || !Number.isInteger(to) || to < this.expected) return;
    this.lost += to - Math.max(from, this.expected) + 1;
    this.expected = to + 1;
    this.asked = false;
    this.notify({ type: "lost", count: this.lost });
    this.drain();
  }

  /** Reply to hello (`lastSentSeq`: the kernel's last diff then). True if this front end
   * missed diffs sent before it existed. `resendFrom`: the kernel kept the diffs from there
   * for the first front end (a host that starts front ends late) and is sending them now.
   * @param {number} lastSentSeq (checked, as resendFrom: they come from a message)
   * @param {number | null} [resendFrom]
   */
  welcome(lastSentSeq, resendFrom = null) {
    const nothingYet = this.expected === 1 && this.held.size === 0 && this.first === null;
    if (resendFrom !== null && Number.isInteger(resendFrom) && resendFrom >= 1 && nothingYet) {
      this.expected = resendFrom;
      return false;
    }
    if (Number.isInteger(lastSentSeq) && this.held.size === 0 && lastSentSeq >= this.expected) {
      this.missedStart = true; // sent before it existed, and nothing arrived since
      this.expected = lastSentSeq + 1;
    }
    return this.missedStart;
  }

  /**
   * @param {DiffContent} content
   * @param {WireBuffer[]} buffers
   */
  applyNext(content, buffers) {
    this.first ??= content.seq;
    this.expected = content.seq + 1;
    this.apply(content, buffers);
  }

  drain() {
    while (this.held.has(this.expected)) {
      const [content, buffers] = /** @type {[DiffContent, WireBuffer[]]} */ (this.held.get(this.expected));
      this.held.delete(this.expected);
      this.applyNext(content, buffers);
    }
    if (this.held.size === 0) {
      if (this.asked) this.notify({ type: "recovered" });
      this.asked = false;
    } else {
      this.asked = false; // a later hole: ask for it too
      this.ask(Math.min(...this.held.keys()));
    }
  }

  /** @param {number} received */
  ask(received) {
    if (this.asked) return;
    this.asked = true;
    this.send({ kind: "gap", expected: this.expected, received });
    this.notify({ type: "waiting", count: received - this.expected });
  }
}
