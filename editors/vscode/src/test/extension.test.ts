// The packaged bundle (dist/extension.js) run against a stand-in "vscode"
// module: activation, the status bar, the error path, and — when
// SECREVIEW_TEST_PYTHON names an interpreter with secreview_ls — a real
// server: start, diagnostics for an opened document, restart, stop.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, test } from "node:test";

import { createFakeVscode, type Recorder, Uri } from "./fakeVscode";

const BUNDLE = path.resolve(__dirname, "../../dist/extension.js");
const python = process.env["SECREVIEW_TEST_PYTHON"];

interface ExtensionModule {
  activate(context: unknown): Promise<void>;
  deactivate(): Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const Module = require("node:module") as { _load: (request: string, ...rest: unknown[]) => unknown };
const originalLoad = Module._load;
let loaded: ExtensionModule | undefined;

function load(settings: Record<string, unknown>): { ext: ExtensionModule; recorder: Recorder; folder: string } {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "secreview-vscode-"));
  const { api, recorder } = createFakeVscode(settings, folder);
  Module._load = function (this: unknown, request: string, ...rest: unknown[]) {
    return request === "vscode" ? api : originalLoad.call(this, request, ...rest);
  };
  delete require.cache[BUNDLE];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ext = require(BUNDLE) as ExtensionModule;
  loaded = ext;
  return { ext, recorder, folder };
}

afterEach(async () => {
  await loaded?.deactivate();
  loaded = undefined;
  Module._load = originalLoad;
});

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

const context = { subscriptions: [] as { dispose(): unknown }[] };

test("the bundle exports activate and deactivate", () => {
  const { ext } = load({});
  assert.equal(typeof ext.activate, "function");
  assert.equal(typeof ext.deactivate, "function");
});

test("a server path that does not exist ends in the error state with a message", async () => {
  const { ext, recorder } = load({ "secreview.server.path": "/nonexistent/secreview-ls" });
  await ext.activate(context);
  const last = recorder.status[recorder.status.length - 1];
  assert.match(last ?? "", /\$\(error\) SecReview/);
  assert.ok(recorder.status.some((s) => s.includes("sync~spin")), "went through starting");
  assert.ok(
    recorder.messages.some((m) => m.level === "error" && m.text.includes("/nonexistent/secreview-ls")),
    JSON.stringify(recorder.messages),
  );
  assert.ok(recorder.output.some((l) => l.includes("not found")), recorder.output.join("\n"));
  // The commands are there even when the server is not.
  for (const id of ["secreview.client.scanWorkspace", "secreview.client.restart", "secreview.client.showOutput"]) {
    assert.ok(recorder.commands.has(id), id);
  }
});

test(
  "a real server starts, reports a finding for an opened document, restarts and stops",
  { skip: python === undefined ? "SECREVIEW_TEST_PYTHON not set" : false, timeout: 90_000 },
  async () => {
    const { ext, recorder, folder } = load({
      "secreview.interpreter": python,
      "secreview.severity": "low",
      "secreview.debounce": 50,
    });
    await ext.activate(context);
    await waitFor("running", () => recorder.status[recorder.status.length - 1]?.includes("$(shield)"));
    assert.ok(recorder.output.some((l) => /Found secreview-ls \d+\.\d+\.\d+/.test(l)), recorder.output.join("\n"));

    const file = path.join(folder, "loader.py");
    const text = 'import yaml\nyaml.load(open("x").read())\n';
    fs.writeFileSync(file, text);
    const uri = Uri.file(file);
    recorder.openDocument({ uri, languageId: "python", version: 1, text });
    const diagnostics = await waitFor("diagnostics", () => {
      const d = recorder.diagnostics.get(uri.toString());
      return d !== undefined && d.length > 0 ? d : undefined;
    });
    const onLine2 = diagnostics.filter((d) => d.range.start.line === 1);
    assert.equal(onLine2.length, 1, JSON.stringify(diagnostics));
    const finding = onLine2[0]!;
    assert.equal(finding.source, "secreview");
    const code = typeof finding.code === "object" && finding.code !== null ? (finding.code as { value: unknown }).value : finding.code;
    assert.match(String(code), /^SR\d+$/);

    // Restart: stopped, then starting, then running again.
    const before = recorder.status.length;
    await recorder.commands.get("secreview.client.restart")?.();
    await waitFor("running after restart", () => recorder.status[recorder.status.length - 1]?.includes("$(shield)"));
    const during = recorder.status.slice(before);
    assert.ok(during.some((s) => s.includes("circle-slash")), during.join(", "));
    assert.ok(during.some((s) => s.includes("sync~spin")), during.join(", "));

    await ext.deactivate();
    loaded = undefined;
    assert.match(recorder.status[recorder.status.length - 1] ?? "", /circle-slash/);
  },
);
