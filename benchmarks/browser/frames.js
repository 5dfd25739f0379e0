// The frame loops of the scroll benchmarks, one copy for both pages: bench.js (the bare page)
// imports them, and lab_bench.py evaluates this file in the JupyterLab page (browser_page.py
// `FRAMES_JS`), so a scroll figure means the same in both tables.
//
// Per frame: the interval between rAF timestamps (what the user sees, quantised to the display
// rate) and the busy time from the start of our rAF callback to after the frame's paint (a
// message posted from rAF runs after that frame's paint; a view draws in its own rAF callback
// of the same frame, after the scroll event).

// The next frame has been rendered.
export function afterFrame() {
  return new Promise((resolve) =>
    requestAnimationFrame((ts) => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => resolve(ts);
      ch.port2.postMessage(0);
    }),
  );
}

// n frames; `step(i)` (if any) runs at the start of frame i. With no step: the display-rate
// floor of the figures of a loop that scrolls.
export async function frameLoop(n, step = null) {
  const stamps = [];
  const busy = [];
  await new Promise((resolve) => {
    let i = 0;
    function frame(ts) {
      const start = performance.now();
      stamps.push(ts);
      if (i === n) return resolve();
      if (step) step(i);
      i++;
      const ch = new MessageChannel();
      ch.port1.onmessage = () => busy.push(performance.now() - start);
      ch.port2.postMessage(0);
      requestAnimationFrame(frame);
    }
    requestAnimationFrame(frame);
  });
  return { intervals: stamps.slice(1).map((t, i) => t - stamps[i]), busy };
}

// Scroll `sc` through n positions, one per frame: "sweep" jumps evenly across the whole range
// (the last position is the bottom), "step" moves 140 px a frame.
export function scrollLoop(sc, n, mode) {
  const max = sc.scrollHeight - sc.clientHeight;
  const positions = Array.from({ length: n }, (_, i) =>
    mode === "sweep" ? Math.round((max * (i + 1)) / n) : Math.min(max, (i + 1) * 140),
  );
  return frameLoop(n, (i) => {
    sc.scrollTop = positions[i];
  });
}
