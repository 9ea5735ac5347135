import * as assert from "node:assert/strict";
import { test } from "node:test";

import { type ServerState, statusView } from "../status";

test("every state has its own icon and word", () => {
  const states: ServerState[] = ["starting", "running", "stopped", "error"];
  const views = states.map((s) => statusView(s));
  assert.equal(new Set(views.map((v) => v.text)).size, states.length);
  for (const [i, s] of states.entries()) {
    assert.match(views[i]!.tooltip, new RegExp(`server: ${s}`));
    assert.match(views[i]!.text, /SecReview$/);
  }
  assert.match(views[0]!.text, /~spin/);
});

test("error shows the reason and an error background", () => {
  const v = statusView("error", { error: "python3 -m secreview_ls: No module named secreview_ls", command: "python3 -m secreview_ls" });
  assert.equal(v.background, "statusBarItem.errorBackground");
  assert.match(v.tooltip, /No module named secreview_ls/);
  assert.match(v.tooltip, /Command: python3 -m secreview_ls/);
});

test("running shows the version and no background", () => {
  const v = statusView("running", { version: "0.1.0", error: "ignored when running" });
  assert.equal(v.background, undefined);
  assert.match(v.tooltip, /secreview-ls 0\.1\.0/);
  assert.doesNotMatch(v.tooltip, /ignored/);
});
