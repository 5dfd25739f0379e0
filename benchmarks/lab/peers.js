// Page side of benchmarks/lab/peers.py: per peer, how to see in the page that the last row can
// be shown, and what to scroll. Evaluated in the JupyterLab page (peers.py `install`), which
// defines `window.lswPeers`. Each `probe` returns {count, last}: the rows the grid's own model
// holds and the `id` of its last row (null when unknown); each `scroller` returns what
// frames.js's scrollLoop moves (an element, or an object with the same three properties).

// Every element under `root`, through open shadow roots (Bokeh and Panel models, Perspective's
// datagrid render inside them).
function* deep(root) {
  const stack = [root];
  while (stack.length) {
    const el = stack.pop();
    yield el;
    if (el.shadowRoot) stack.push(...el.shadowRoot.children);
    stack.push(...el.children);
  }
}

// The element under `root` with the most to scroll vertically: the grid's body.
function biggestScroller(root) {
  let best = null;
  for (const el of deep(root)) {
    const range = el.scrollHeight - el.clientHeight;
    if (range > 0 && (!best || range > best.scrollHeight - best.clientHeight)) best = el;
  }
  return best;
}

// The Bokeh view rendered in this cell that has `key` (Panel's Tabulator view: `tabulator`;
// Bokeh's DataTable view: `grid`, its SlickGrid).
function bokehView(cell, key) {
  const rootEl = cell.querySelector("[data-root-id]");
  if (!rootEl || !window.Bokeh) return null;
  const top = window.Bokeh.index[rootEl.dataset.rootId];
  const stack = top ? [top] : [];
  while (stack.length) {
    const v = stack.pop();
    if (v[key]) return v;
    stack.push(...(v.child_views || []));
  }
  return null;
}

function lastOf(column) {
  return column && column.length ? Number(column[column.length - 1]) : null;
}

export const probes = {
  // livestream-widget: the store's size the view last drew (data-count); the last row's id is
  // checked by the data-count observer in peers.py (count = rows streamed).
  lsw(cell) {
    const root = cell.querySelector(".lsw");
    return { count: Number(root?.dataset.count ?? 0), last: null };
  },
  // Panel Tabulator: the rows in the Tabulator instance's row manager (what it renders from).
  tabulator(cell) {
    const v = bokehView(cell, "tabulator");
    const rows = v?.tabulator?.rowManager?.rows;
    if (!rows || !rows.length) return { count: 0, last: null };
    return { count: rows.length, last: Number(rows[rows.length - 1].data.id) };
  },
  // Bokeh DataTable: SlickGrid's row count (what it renders from) and the source's last id.
  datatable(cell) {
    const v = bokehView(cell, "grid");
    if (!v) return { count: 0, last: null };
    const data = v.model.source.data;
    const ids = data instanceof Map ? data.get("id") : data.id;
    return { count: v.grid.getDataLength(), last: lastOf(ids) };
  },
  // Perspective: the viewer's own view (rows it can show; it pulls them from the kernel's
  // table) and its last row's id, read through that view.
  async perspective(cell) {
    const viewer = cell.querySelector("perspective-viewer");
    const view = viewer && (await viewer.getView());
    if (!view) return { count: 0, last: null };
    const n = await view.num_rows();
    if (!n) return { count: 0, last: null };
    const cols = await view.to_columns({ start_row: n - 1, end_row: n, columns: ["id"] });
    return { count: n, last: lastOf(cols.id) };
  },
  // ipydatagrid draws on a canvas and keeps its data model out of reach: the rows its grid
  // holds are read from its vertical scrollbar, whose thumb is page / (rows × row height) of
  // the track: rows = ref × refThumb / thumb, against the thumb it had with `ref` rows
  // (peers.py calibrates it with the first 1,000 rows before timing).
  datagrid(cell, calib) {
    const thumb = cell.querySelector('.lm-DataGrid-scrollBar[data-orientation="vertical"] .lm-ScrollBar-thumb');
    const pct = thumb ? parseFloat(thumb.style.height) : NaN;
    if (!calib) return { count: 0, last: null, thumb: pct };
    // The style keeps ~4 significant digits: rounded to the feed's 1,000-row steps.
    const rows = (calib.rows * calib.thumb) / pct;
    return { count: Math.round(rows / calib.rows) * calib.rows, last: null, thumb: pct };
  },
};

export const scrollers = {
  lsw: (cell) => cell.querySelector(".lsw-scroll"),
  tabulator: (cell) => bokehView(cell, "tabulator").tabulator.rowManager.element,
  datatable: (cell) => bokehView(cell, "grid").grid.getCanvasNode().parentElement,
  perspective: (cell) => biggestScroller(cell.querySelector("perspective-viewer")),
  // A Lumino DataGrid scrolls on wheel events: a stand-in whose scrollTop setter sends the
  // wheel delta to the grid's viewport (20 px rows, the grid's default).
  datagrid(cell, rows) {
    const vp = cell.querySelector(".lm-DataGrid-viewport");
    let top = 0;
    return {
      clientHeight: vp.clientHeight,
      scrollHeight: rows * 20 + vp.clientHeight,
      get scrollTop() {
        return top;
      },
      set scrollTop(y) {
        const ev = { deltaY: y - top, deltaMode: 0, bubbles: true, cancelable: true };
        vp.dispatchEvent(new WheelEvent("wheel", ev));
        top = y;
      },
    };
  },
};

// Resolves with Date.now() at the first check where `probe` reports `count` rows whose last
// id is `last` (when the probe knows it); checks every `every` ms, so a check costs the peer
// at most that.
export function waitFor(kind, cell, count, last, every, calib) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const check = async () => {
      try {
        const p = await probes[kind](cell, calib);
        if (p.count === count && (p.last === null || p.last === last)) return resolve(Date.now());
        if (Date.now() - t0 > 600_000) return reject(new Error(`${kind}: ${JSON.stringify(p)}`));
      } catch (e) {
        // a view not built yet
      }
      setTimeout(check, every);
    };
    check();
  });
}
