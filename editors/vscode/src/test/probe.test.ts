import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";

import { type LaunchCommand, versionCommand } from "../config";
import { probeVersion } from "../probe";

/** node -e SCRIPT -- --version: a stand-in program with a known answer. */
function fake(script: string): LaunchCommand {
  return versionCommand({ command: process.execPath, args: ["-e", script, "--"], origin: "PATH" }, []);
}

test("a program that prints the version line is usable", async () => {
  const r = await probeVersion(
    fake("if (process.argv.includes('--version')) console.log('secreview-ls 0.1.0'); else process.exit(3)"),
  );
  assert.deepEqual(r, { ok: true, version: "0.1.0" });
});

test("a missing program is reported as not found", async () => {
  const r = await probeVersion({ command: "/nonexistent/secreview-ls", args: [], origin: "server.path" });
  assert.deepEqual(r, { ok: false, reason: "/nonexistent/secreview-ls: not found" });
});

test("a failing program without output reports its exit code", async () => {
  const r = await probeVersion(fake("process.exit(3)"));
  assert.deepEqual(r, { ok: false, reason: `${process.execPath} exited with code 3` });
});

test("a failing program reports its last stderr line", async () => {
  const r = await probeVersion(
    fake("console.error('Traceback'); console.error('ModuleNotFoundError: No module named secreview_ls'); process.exit(1)"),
  );
  assert.deepEqual(r, { ok: false, reason: "ModuleNotFoundError: No module named secreview_ls" });
});

test("a program that prints something else is not usable", async () => {
  const r = await probeVersion(fake("console.log('Python 3.11.7')"));
  assert.equal(r.ok, false);
  assert.match(r.ok ? "" : r.reason, /unexpected --version output/);
});

test("a program that hangs is stopped at the timeout", async () => {
  const started = Date.now();
  const r = await probeVersion(fake("setInterval(() => {}, 1000)"), { timeoutMs: 500 });
  assert.equal(r.ok, false);
  assert.match(r.ok ? "" : r.reason, /no answer within 500 ms/);
  assert.ok(Date.now() - started < 5_000);
});

// The real server, when an interpreter with secreview_ls is given.
const python = process.env["SECREVIEW_TEST_PYTHON"];
test("the real server's --version is understood", async (t) => {
  if (python === undefined) {
    if (process.env["CI"]) {
      assert.fail("SECREVIEW_TEST_PYTHON is not set (CI is set, so this is a failure, not a skip)");
    }
    t.skip("SECREVIEW_TEST_PYTHON is not set (an interpreter with secreview_ls installed)");
    return;
  }
  const expected = execFileSync(python!, ["-c", "import importlib.metadata as m; print(m.version('secreview-ls'))"])
    .toString()
    .trim();
  const r = await probeVersion({ command: python!, args: ["-m", "secreview_ls", "--version"], origin: "interpreter" });
  assert.deepEqual(r, { ok: true, version: expected });
});
