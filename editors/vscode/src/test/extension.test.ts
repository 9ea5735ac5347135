// The packaged bundle (dist/extension.js) run against a stand-in "vscode"
// module: activation, the status bar, the error paths, and real servers: the one
// bundled in bundled/libs (run by a Python 3.11+ from PATH) and, when
// SECREVIEW_TEST_PYTHON names an interpreter with secreview_ls installed, that
// interpreter's package. A real-server test that cannot run says why in the
// summary, and fails instead when CI is set.

import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, type TestContext, test } from "node:test";

import { createFakeVscode, type Recorder, Uri } from "./fakeVscode";

const EXTENSION_ROOT = path.resolve(__dirname, "../..");
const BUNDLE = path.join(EXTENSION_ROOT, "dist/extension.js");
const BUNDLED_LIBS = path.join(EXTENSION_ROOT, "bundled/libs/secreview_ls/__init__.py");
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

const context = { subscriptions: [] as { dispose(): unknown }[], extensionPath: EXTENSION_ROOT };

/** Skips with the reason, except under CI, where a real-server test must run. */
function requireOrSkip(t: TestContext, missing: string | undefined): boolean {
  if (missing === undefined) {
    return true;
  }
  if (process.env["CI"]) {
    assert.fail(`${missing} (CI is set, so this is a failure, not a skip)`);
  }
  t.skip(missing);
  return false;
}

/** A `python3` on PATH that is 3.11 or newer, as the bundled server needs. */
function python311OnPath(): string | undefined {
  for (const name of ["python3", "python3.14", "python3.13", "python3.12", "python3.11"]) {
    try {
      execFileSync(name, ["-c", "import sys; sys.exit(sys.version_info < (3, 11))"], { stdio: "ignore" });
      return name;
    } catch {
      // not there, or too old
    }
  }
  return undefined;
}

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

test("an interpreter that cannot run the server: its report and fix command are shown", async () => {
  // A stand-in interpreter that answers like `python -m secreview_ls --version` without pygls.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "secreview-fakepy-"));
  const fake = path.join(dir, "python");
  fs.writeFileSync(
    fake,
    [
      "#!/bin/sh",
      "echo 'secreview-ls 0.1.0 cannot start' >&2",
      "echo \"python: $0 (3.12.0)\" >&2",
      "echo \"problem: pygls>=2.1,<3: cannot import pygls (No module named 'pygls')\" >&2",
      "echo \"fix: install the missing requirements into $0\" >&2",
      "echo \"run: $0 -m pip install 'pygls>=2.1,<3'\" >&2",
      "exit 1",
      "",
    ].join("\n"),
  );
  fs.chmodSync(fake, 0o755);
  const { ext, recorder } = load({
    "secreview.interpreter": fake,
    "secreview.importStrategy": "fromEnvironment",
    "test.choose": "Copy fix command",
  });
  await ext.activate(context);
  const error = recorder.messages.find((m) => m.level === "error");
  assert.ok(error, JSON.stringify(recorder.messages));
  assert.match(error.text, /cannot start the server with .*python: pygls>=2\.1,<3: cannot import pygls/);
  assert.match(error.text, /Fix: install the missing requirements into /);
  assert.ok(error.items.includes("Copy fix command"), JSON.stringify(error.items));
  await waitFor("the command in the clipboard", () => recorder.clipboard.length > 0);
  assert.deepEqual(recorder.clipboard, [`${fake} -m pip install 'pygls>=2.1,<3'`]);
  assert.ok(recorder.output.some((l) => l.includes(`run: ${fake} -m pip install`)), recorder.output.join("\n"));
  assert.match(recorder.status[recorder.status.length - 1] ?? "", /\$\(error\)/);
});

/** Opens a Python file and a .env file and waits for the server's findings on both. */
async function opensFilesAndReports(recorder: Recorder, folder: string): Promise<void> {
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

  // A dotenv file (VS Code gives it the language "dotenv", or "plaintext" without support).
  const env = path.join(folder, ".env");
  const envText = "DB_PASSWORD=Zq8-pr0d-Vx3!kL\n";
  fs.writeFileSync(env, envText);
  const envUri = Uri.file(env);
  recorder.openDocument({ uri: envUri, languageId: "plaintext", version: 1, text: envText });
  const envDiagnostics = await waitFor("diagnostics for .env", () => {
    const d = recorder.diagnostics.get(envUri.toString());
    return d !== undefined && d.length > 0 ? d : undefined;
  });
  assert.equal(envDiagnostics[0]?.range.start.line, 0, JSON.stringify(envDiagnostics));
  assert.doesNotMatch(envDiagnostics[0]?.message ?? "", /Zq8-pr0d-Vx3!kL/, "the secret is masked");
}

async function restartsAndStops(ext: ExtensionModule, recorder: Recorder): Promise<void> {
  const before = recorder.status.length;
  await recorder.commands.get("secreview.client.restart")?.();
  await waitFor("running after restart", () => recorder.status[recorder.status.length - 1]?.includes("$(shield)"));
  const during = recorder.status.slice(before);
  assert.ok(during.some((s) => s.includes("circle-slash")), during.join(", "));
  assert.ok(during.some((s) => s.includes("sync~spin")), during.join(", "));
  await ext.deactivate();
  loaded = undefined;
  assert.match(recorder.status[recorder.status.length - 1] ?? "", /circle-slash/);
}

test("the bundled server runs with a Python from PATH, reports on Python and .env files, restarts and stops", { timeout: 120_000 }, async (t) => {
  const bundled = fs.existsSync(BUNDLED_LIBS) ? undefined : "bundled/libs is empty: run `npm run bundle` first";
  const py = python311OnPath();
  if (!requireOrSkip(t, bundled ?? (py === undefined ? "no Python 3.11+ on PATH to run the bundled server" : undefined))) {
    return;
  }
  const { ext, recorder, folder } = load({ "secreview.severity": "low", "secreview.debounce": 50 });
  await ext.activate(context);
  await waitFor("running", () => recorder.status[recorder.status.length - 1]?.includes("$(shield)"));
  assert.ok(
    recorder.output.some((l) => /Found secreview-ls \d+\.\d+\.\d+ \(bundled\): \S*python3\S* \S*secreview_server\.py --version/.test(l)),
    recorder.output.join("\n"),
  );
  await opensFilesAndReports(recorder, folder);
  await restartsAndStops(ext, recorder);
});

test("the interpreter's installed package (fromEnvironment) runs too", { timeout: 120_000 }, async (t) => {
  if (!requireOrSkip(t, python === undefined ? "SECREVIEW_TEST_PYTHON is not set (an interpreter with secreview_ls installed)" : undefined)) {
    return;
  }
  const { ext, recorder, folder } = load({
    "secreview.interpreter": python,
    "secreview.importStrategy": "fromEnvironment",
    "secreview.severity": "low",
    "secreview.debounce": 50,
  });
  await ext.activate(context);
  await waitFor("running", () => recorder.status[recorder.status.length - 1]?.includes("$(shield)"));
  assert.ok(
    recorder.output.some((l) => /Found secreview-ls \d+\.\d+\.\d+: \S+ -m secreview_ls --version/.test(l)),
    recorder.output.join("\n"),
  );
  await opensFilesAndReports(recorder, folder);
  await restartsAndStops(ext, recorder);
});

test("the server's template folders reach the client: a template of a declared folder is sent and shows the view's finding", { timeout: 120_000 }, async (t) => {
  if (!requireOrSkip(t, python === undefined ? "SECREVIEW_TEST_PYTHON is not set (an interpreter with secreview_ls installed)" : undefined)) {
    return;
  }
  const { ext, recorder, folder } = load({
    "secreview.interpreter": python,
    "secreview.importStrategy": "fromEnvironment",
    "secreview.debounce": 50,
  });
  const views = 'from flask import Flask, render_template, request\n\napp = Flask(__name__, template_folder="pages")\n\n\n' +
    '@app.route("/card")\ndef card():\n    return render_template("card.html", note=request.args["note"])\n';
  fs.mkdirSync(path.join(folder, "web", "pages"), { recursive: true });
  fs.writeFileSync(path.join(folder, "web", "views.py"), views);
  const card = path.join(folder, "web", "pages", "card.html");
  const cardText = "<p>{{ note|safe }}</p>\n";
  fs.writeFileSync(card, cardText);
  await ext.activate(context);
  await waitFor("running", () => recorder.status[recorder.status.length - 1]?.includes("$(shield)"));
  // The view's analysis looks for its template: the server learns the folder and tells the client.
  recorder.openDocument({ uri: Uri.file(path.join(folder, "web", "views.py")), languageId: "python", version: 1, text: views });
  const pages = fs.realpathSync(path.join(folder, "web", "pages"));
  await waitFor("the template folders", () => recorder.output.some((l) => l.includes(`analyzed too: ${pages}`)));
  const uri = Uri.file(card);
  recorder.openDocument({ uri, languageId: "html", version: 1, text: cardText });
  const diagnostics = await waitFor("diagnostics of the template", () => {
    const d = recorder.diagnostics.get(uri.toString());
    return d !== undefined && d.length > 0 ? d : undefined;
  });
  const codes = diagnostics.map((d) => (typeof d.code === "object" && d.code !== null ? (d.code as { value: unknown }).value : d.code));
  assert.deepEqual(codes, ["SR806"]);
});
