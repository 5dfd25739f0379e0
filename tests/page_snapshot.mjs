// A page's snapshot, made by the real front-end code in node for tests/test_payload.py: applies
// the diffs listed in DIR/manifest.json ({content, buffers: [file]}) to a RowStore, then writes
// the parts snapshotParts makes (DIR/part.N) and their dom ids (DIR/ids.json).
import fs from "node:fs";
import path from "node:path";
import { ready } from "../js/src/codecs.js";
import { applyDiff, decodeDiff } from "../js/src/protocol.js";
import { snapshotParts } from "../js/src/snapshot.js";
import { RowStore } from "../js/src/store.js";

const dir = process.argv[2];
await ready;
const store = new RowStore();
for (const m of JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8"))) {
  applyDiff(store, decodeDiff(m.content, m.buffers.map((f) => fs.readFileSync(f))));
}
const { ids, buffers } = snapshotParts(store, 1000, 2 ** 20);
buffers.forEach((b, i) => fs.writeFileSync(path.join(dir, `part.${i}`), b));
fs.writeFileSync(path.join(dir, "ids.json"), JSON.stringify(ids));
