// @ts-check
// Acknowledgements to the kernel, coalesced. An ack covers every diff up to its seq, so while
// diffs stream in one every ACK_EVERY ms says as much as one per diff. Each message to the
// kernel costs the page more than its bytes: the kernel answers it with a busy and an idle
// status message, which JupyterLab handles too (three messages per ack, measured).
//
// A diff after a pause is acknowledged at once (the kernel frees it and a producer waiting
// for room goes on), later ones within ACK_EVERY ms, the last one when the diffs stop. A
// hidden page acknowledges at once: browsers throttle a hidden page's timers (to once a
// second or less), and a producer would wait for them.

/** ms between two acknowledgements while diffs stream in */
export const ACK_EVERY = 100;

export class Acks {
  /**
   * @param {(seq: number) => void} send acknowledges every diff up to `seq`
   * @param {{ now?: () => number, hidden?: () => boolean, every?: number }} [options]
   */
  constructor(send, { now = () => performance.now(), hidden = () => document.hidden, every = ACK_EVERY } = {}) {
    this.send = send;
    this.now = now;
    this.hidden = hidden;
    this.every = every;
    this.sentAt = -Infinity;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.timer = undefined;
    /** @type {number | null} the newest diff applied and not yet acknowledged */
    this.pending = null;
  }

  /** Diff `seq` was applied. @param {number} seq */
  applied(seq) {
    this.pending = seq;
    const wait = this.sentAt + this.every - this.now();
    if (wait <= 0 || this.hidden()) this.flush();
    else if (this.timer === undefined) this.timer = setTimeout(() => this.flush(), wait);
  }

  /** Acknowledge what is pending now. */
  flush() {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending === null) return;
    const seq = this.pending;
    this.pending = null;
    this.sentAt = this.now();
    this.send(seq);
  }
}
