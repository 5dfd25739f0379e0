"""What a frame writes to the page: rows on screen are rewritten only when what they show
changes. While a feed appends below the viewport, every frame redraws the table (its count, its
scroll range), and rewriting the unchanged cells would cost the page style, layout and paint for
each of them, every frame, for the whole stream."""

from __future__ import annotations

import pytest

from .harness import rendered_ids, wait_count

pytestmark = pytest.mark.e2e

# Records every change under the rows' container, except to the container itself (its offset).
OBSERVE = """root => {
  const box = root.querySelector(".lsw-rows");
  window.__lswRowWrites = [];
  window.__lswRowObserver = new MutationObserver((records) => {
    for (const r of records) {
      if (r.target === box) continue;
      const cell = r.target.nodeType === 3 ? r.target.parentElement : r.target;
      window.__lswRowWrites.push(`${r.type} ${r.attributeName ?? ""} ${cell.className}`);
    }
  });
  window.__lswRowObserver.observe(box, {
    subtree: true, childList: true, characterData: true, attributes: true,
  });
}"""


def test_rows_on_screen_are_not_rewritten_while_rows_stream_in_below(lab):
    nb = lab.notebook(
        [
            "from livestream_widget import StreamWidget\nimport pandas as pd, time\n"
            "w = StreamWidget(height=300)\nw",
            'w.stream(pd.DataFrame({"id": range(100), "x": 0.5, "note": "first rows"}))',
            # Appended below the viewport over ~1 s: many frames, each drawn with new rows.
            "for i in range(20):\n"
            '    w.stream(pd.DataFrame({"id": range(100 + 500 * i, 600 + 500 * i), "x": 1.5,'
            ' "note": "later"}))\n'
            "    time.sleep(0.05)",
        ]
    )
    nb.run(0)
    w = nb.widget(0)
    nb.run(1)
    wait_count(w, 100)
    shown = rendered_ids(w)
    w.page.wait_for_timeout(300)  # the first draw's flash and summaries are done
    w.evaluate(OBSERVE)
    nb.run(2)
    wait_count(w, 10_100)
    w.page.wait_for_timeout(200)
    writes = w.page.evaluate("window.__lswRowObserver.disconnect() || window.__lswRowWrites")
    assert rendered_ids(w) == shown  # still the first rows on screen
    assert writes == [], f"{len(writes)} writes to unchanged rows, e.g. {writes[:5]}"
