import * as assert from "node:assert/strict";
import * as path from "node:path";
import { describe, test } from "node:test";

import {
  answerConfiguration,
  DEFAULT_SETTINGS,
  expandPath,
  explicitServerSettings,
  failureAdvice,
  formatCommand,
  LAUNCH_SETTINGS,
  launchCandidates,
  launchKey,
  normaliseRuleIds,
  parseReport,
  parseVersion,
  readLaunchSettings,
  readServerSettings,
  type ServerSettings,
  versionCommand,
} from "../config";

/** A getter over a nested settings object, like WorkspaceConfiguration.get. */
function getter(values: Record<string, unknown>): (key: string) => unknown {
  return (key) => {
    let node: unknown = values;
    for (const part of key.split(".")) {
      if (typeof node !== "object" || node === null) {
        return undefined;
      }
      node = (node as Record<string, unknown>)[part];
    }
    return node;
  };
}

const FOLDER = path.resolve("/work/project");
const HOME = path.resolve("/home/me");

describe("readServerSettings", () => {
  test("defaults when nothing is set", () => {
    assert.deepEqual(readServerSettings(getter({})), DEFAULT_SETTINGS);
    assert.equal(DEFAULT_SETTINGS.debounce, 150);
  });

  test("has exactly the keys the server reads", () => {
    assert.deepEqual(Object.keys(readServerSettings(getter({}))).sort(), [
      "baseline",
      "confidence",
      "debounce",
      "ignore",
      "scope",
      "select",
      "severity",
    ]);
  });

  test("passes valid values through, normalised", () => {
    const s = readServerSettings(
      getter({
        severity: "HIGH",
        confidence: " medium ",
        select: ["sr401", "SR401", " SR6 ", "", 7],
        ignore: ["b101"],
        debounce: 299.6,
        scope: "changed",
        baseline: "baseline.json",
      }),
      { folder: FOLDER, home: HOME },
    );
    assert.deepEqual(s, {
      severity: "high",
      confidence: "medium",
      select: ["SR401", "SR6"],
      ignore: ["B101"],
      debounce: 300,
      scope: "changed",
      baseline: path.join(FOLDER, "baseline.json"),
    });
  });

  test("invalid values fall back to the defaults", () => {
    const s = readServerSettings(
      getter({ severity: "critical", confidence: 3, select: "SR401", debounce: "fast", scope: "everything" }),
    );
    assert.equal(s.severity, "low");
    assert.equal(s.confidence, "low");
    assert.deepEqual(s.select, []);
    assert.equal(s.debounce, 150);
    assert.equal(s.scope, "all");
  });

  test("debounce is clamped", () => {
    assert.equal(readServerSettings(getter({ debounce: -5 })).debounce, 0);
    assert.equal(readServerSettings(getter({ debounce: 1e9 })).debounce, 10_000);
    assert.equal(readServerSettings(getter({ debounce: Number.NaN })).debounce, 150);
  });

  test("baseline: absolute, ~ and ${workspaceFolder} forms", () => {
    const ctx = { folder: FOLDER, home: HOME };
    const abs = path.resolve("/tmp/b.json");
    assert.equal(readServerSettings(getter({ baseline: abs }), ctx).baseline, abs);
    assert.equal(readServerSettings(getter({ baseline: "~/b.json" }), ctx).baseline, `${HOME}/b.json`);
    assert.equal(
      readServerSettings(getter({ baseline: "${workspaceFolder}/ci/b.json" }), ctx).baseline,
      `${FOLDER}/ci/b.json`,
    );
    // Without a folder a relative path is left as the user wrote it.
    assert.equal(readServerSettings(getter({ baseline: "b.json" })).baseline, "b.json");
  });
});

describe("explicitServerSettings", () => {
  test("only what the user set is sent, so pyproject.toml keeps the rest", () => {
    const values = { severity: "Medium", ignore: ["sr113"], select: [], debounce: 150 };
    const isSet = (key: string): boolean => ["severity", "ignore"].includes(key);
    assert.deepEqual(explicitServerSettings(getter(values), isSet), { severity: "medium", ignore: ["SR113"] });
  });

  test("nothing set: an empty object", () => {
    assert.deepEqual(explicitServerSettings(getter({ severity: "high" }), () => false), {});
  });

  test("an explicit empty list is sent (it clears the project's list)", () => {
    const s = explicitServerSettings(getter({ select: [] }), (k) => k === "select");
    assert.deepEqual(s, { select: [] });
  });
});

const BUNDLE = "/ext/bundled/tool/secreview_server.py";

describe("launch", () => {
  test("server.path wins and runs the program itself", () => {
    const launch = readLaunchSettings(
      getter({ server: { path: "/opt/bin/secreview-ls", extraArgs: ["--log-level", "debug"] }, interpreter: "/x/python" }),
    );
    const c = launchCandidates(launch, "/venv/bin/python", "linux", BUNDLE);
    assert.deepEqual(c, [
      { command: "/opt/bin/secreview-ls", args: ["--log-level", "debug"], origin: "server.path" },
    ]);
  });

  test("default: the bundled server, run by the selected interpreter, then by a Python on PATH", () => {
    const launch = readLaunchSettings(getter({ server: { extraArgs: ["-v", ""] } }));
    assert.equal(launch.importStrategy, "useBundled");
    const c = launchCandidates(launch, "/venv/bin/python", "linux", BUNDLE);
    assert.deepEqual(c[0], { command: "/venv/bin/python", args: [BUNDLE, "-v"], origin: "python extension", bundled: true });
    assert.deepEqual(
      c.slice(1).map((x) => formatCommand(x)),
      ["python3", "python3.14", "python3.13", "python3.12", "python3.11"].map((py) => `${py} ${BUNDLE} -v`),
    );
    assert.ok(c.every((x) => x.bundled === true));
  });

  test("an explicit interpreter is the only candidate, bundled or not", () => {
    const bundled = readLaunchSettings(getter({ interpreter: ".venv/bin/python" }), { folder: FOLDER, home: HOME });
    assert.deepEqual(launchCandidates(bundled, "/venv/bin/python", "linux", BUNDLE), [
      { command: path.join(FOLDER, ".venv/bin/python"), args: [BUNDLE], origin: "interpreter", bundled: true },
    ]);
    const installed = readLaunchSettings(getter({ interpreter: ".venv/bin/python", importStrategy: "fromEnvironment" }), {
      folder: FOLDER,
      home: HOME,
    });
    assert.deepEqual(launchCandidates(installed, "/venv/bin/python", "linux", BUNDLE), [
      { command: path.join(FOLDER, ".venv/bin/python"), args: ["-m", "secreview_ls"], origin: "interpreter" },
    ]);
  });

  test("a bare interpreter name is looked up on PATH, not made relative", () => {
    const launch = readLaunchSettings(getter({ interpreter: "python3.12" }), { folder: FOLDER });
    assert.equal(launch.interpreter, "python3.12");
  });

  test("fromEnvironment: the selected interpreter's package, then secreview-ls on PATH, then python3", () => {
    const launch = readLaunchSettings(getter({ importStrategy: "fromEnvironment", server: { extraArgs: ["-v", ""] } }));
    assert.deepEqual(launchCandidates(launch, "/venv/bin/python", "linux", BUNDLE), [
      { command: "/venv/bin/python", args: ["-m", "secreview_ls", "-v"], origin: "python extension" },
      { command: "secreview-ls", args: ["-v"], origin: "PATH" },
      { command: "python3", args: ["-m", "secreview_ls", "-v"], origin: "PATH" },
    ]);
  });

  test("a build without the bundle uses the installed package; python on Windows", () => {
    const launch = readLaunchSettings(getter({}));
    assert.deepEqual(
      launchCandidates(launch, undefined, "linux").map((c) => formatCommand(c)),
      ["secreview-ls", "python3 -m secreview_ls"],
    );
    assert.deepEqual(
      launchCandidates(launch, "  ", "win32").map((c) => formatCommand(c)),
      ["secreview-ls", "python -m secreview_ls"],
    );
    assert.deepEqual(
      launchCandidates(launch, undefined, "win32", "C:/ext/s.py").map((c) => formatCommand(c)),
      ["python C:/ext/s.py", "python3 C:/ext/s.py"],
    );
  });

  test("an unknown import strategy means the bundled server", () => {
    assert.equal(readLaunchSettings(getter({ importStrategy: "nonsense" })).importStrategy, "useBundled");
  });

  test("versionCommand drops the extra arguments and adds --version", () => {
    const [c] = launchCandidates(
      readLaunchSettings(getter({ interpreter: "/p", importStrategy: "fromEnvironment", server: { extraArgs: ["-v"] } })),
      undefined,
      "linux",
    );
    assert.ok(c);
    assert.deepEqual(versionCommand(c, ["-v"]).args, ["-m", "secreview_ls", "--version"]);
    assert.deepEqual(versionCommand({ command: "s", args: [], origin: "PATH" }, []).args, ["--version"]);
    const [b] = launchCandidates(readLaunchSettings(getter({ interpreter: "/p", server: { extraArgs: ["-v"] } })), undefined, "linux", BUNDLE);
    assert.ok(b);
    assert.deepEqual(versionCommand(b, ["-v"]).args, [BUNDLE, "--version"]);
  });

  test("launchKey tells different programs apart", () => {
    const a = { command: "python3", args: ["-m", "secreview_ls"], origin: "PATH" as const };
    assert.equal(launchKey(a), launchKey({ ...a, origin: "interpreter" }));
    assert.notEqual(launchKey(a), launchKey({ ...a, args: ["-m", "secreview_ls", "-v"] }));
    assert.notEqual(launchKey(a), launchKey({ ...a, command: "python3.12" }));
    assert.notEqual(launchKey(a), launchKey({ ...a, args: [BUNDLE] }));
  });

  test("the launch settings are the restart triggers", () => {
    assert.deepEqual([...LAUNCH_SETTINGS].sort(), [
      "secreview.importStrategy",
      "secreview.interpreter",
      "secreview.server.extraArgs",
      "secreview.server.path",
    ]);
  });

  test("formatCommand quotes what a shell would split", () => {
    assert.equal(
      formatCommand({ command: "/My Tools/python", args: ["-m", "secreview_ls", "it's"] }),
      "'/My Tools/python' -m secreview_ls 'it'\\''s'",
    );
  });
});

describe("start failures", () => {
  const report = parseReport(
    [
      "secreview-ls 0.1.0 cannot start",
      "python: /usr/bin/python3 (3.11.2)",
      "problem: pygls>=2.1,<3: cannot import pygls (No module named 'pygls')",
      "problem: lsprotocol>=2025.0.0: cannot import lsprotocol",
      "fix: install this checkout and its requirements into /usr/bin/python3",
      "run: /usr/bin/python3 -m pip install -e /src/secreview",
    ].join("\r\n"),
  );

  test("the server's report is read line by line", () => {
    assert.deepEqual(report.problems, [
      "pygls>=2.1,<3: cannot import pygls (No module named 'pygls')",
      "lsprotocol>=2025.0.0: cannot import lsprotocol",
    ]);
    assert.deepEqual(report.fixes, ["install this checkout and its requirements into /usr/bin/python3"]);
    assert.deepEqual(report.commands, ["/usr/bin/python3 -m pip install -e /src/secreview"]);
    assert.deepEqual(parseReport("secreview-ls 0.1.0\n"), { problems: [], fixes: [], commands: [] });
  });

  test("the first candidate that explained itself gives the message and the command", () => {
    const launch = readLaunchSettings(getter({ importStrategy: "fromEnvironment" }));
    const [first, second] = launchCandidates(launch, "/usr/bin/python3", "linux");
    const advice = failureAdvice(
      [
        { launch: first!, reason: report.problems.join("; "), report },
        { launch: second!, reason: "secreview-ls: not found" },
      ],
      "fromEnvironment",
    );
    assert.match(advice.message, /cannot start the server with \/usr\/bin\/python3: pygls>=2\.1,<3: cannot import pygls/);
    assert.match(advice.message, /Fix: install this checkout and its requirements into \/usr\/bin\/python3/);
    assert.equal(advice.command, "/usr/bin/python3 -m pip install -e /src/secreview");
  });

  test("bundled server and no usable Python: say which Python is needed", () => {
    const candidates = launchCandidates(readLaunchSettings(getter({})), undefined, "linux", BUNDLE);
    const advice = failureAdvice(
      candidates.map((launch) => ({ launch, reason: `${launch.command}: not found` })),
      "useBundled",
    );
    assert.match(advice.message, /needs Python 3\.11 or newer/);
    assert.match(advice.message, /tried python3, python3\.14, python3\.13, python3\.12, python3\.11/);
    assert.match(advice.message, /Python: Select Interpreter/);
    assert.equal(advice.command, undefined);
  });

  test("a Python that is too old explains itself through the launcher", () => {
    const [c] = launchCandidates(readLaunchSettings(getter({ interpreter: "/usr/bin/python3.9" })), undefined, "linux", BUNDLE);
    const old = parseReport("problem: Python 3.9.2 is too old: the server needs Python 3.11 or newer\nfix: select a Python 3.11+ interpreter");
    const advice = failureAdvice([{ launch: c!, reason: old.problems[0]!, report: old }], "useBundled");
    assert.match(advice.message, /\/usr\/bin\/python3\.9: Python 3\.9\.2 is too old/);
    assert.match(advice.message, /Fix: select a Python 3\.11\+ interpreter/);
  });

  test("server.path and an interpreter without the package are named", () => {
    const [p] = launchCandidates(readLaunchSettings(getter({ server: { path: "/nope" } })), undefined, "linux");
    assert.match(failureAdvice([{ launch: p!, reason: "/nope: not found" }], "useBundled").message, /secreview\.server\.path/);
    const [i] = launchCandidates(
      readLaunchSettings(getter({ interpreter: "/usr/bin/python3", importStrategy: "fromEnvironment" })),
      undefined,
      "linux",
    );
    const message = failureAdvice([{ launch: i!, reason: "No module named secreview_ls" }], "fromEnvironment").message;
    assert.match(message, /"\/usr\/bin\/python3" cannot run secreview_ls/);
    assert.match(message, /importStrategy to useBundled/);
    assert.doesNotMatch(message, /pip install secreview-ls/, "the package is not on an index");
    const all = launchCandidates(readLaunchSettings(getter({ importStrategy: "fromEnvironment" })), undefined, "linux");
    assert.match(
      failureAdvice(all.map((launch) => ({ launch, reason: "not found" })), "fromEnvironment").message,
      /tried secreview-ls; python3 -m secreview_ls/,
    );
  });
});

describe("normaliseRuleIds", () => {
  test("keeps strings, trims, upper-cases, drops duplicates and blanks", () => {
    assert.deepEqual(normaliseRuleIds(["sr101", " SR101", "b602", "", null, "SR2"]), ["SR101", "B602", "SR2"]);
    assert.deepEqual(normaliseRuleIds("SR101"), []);
  });
});

describe("parseVersion", () => {
  test("reads the version line", () => {
    assert.equal(parseVersion("secreview-ls 0.1.0\n"), "0.1.0");
    assert.equal(parseVersion("warning: x\nsecreview-ls 1.20.3rc1\n"), "1.20.3rc1");
    assert.equal(parseVersion("Python 3.11.7\n"), undefined);
    assert.equal(parseVersion(""), undefined);
  });
});

describe("expandPath", () => {
  test("~ and ${userHome}", () => {
    assert.equal(expandPath("~", { home: HOME }), HOME);
    assert.equal(expandPath("${userHome}/bin/s", { home: HOME }), `${HOME}/bin/s`);
    assert.equal(expandPath("  ", { home: HOME, folder: FOLDER }), "");
  });
});

describe("answerConfiguration", () => {
  const settings = (scope: string | undefined): ServerSettings => ({
    ...DEFAULT_SETTINGS,
    select: scope === undefined ? [] : [scope],
  });

  test("one answer per item, in order, scoped", () => {
    const answers = answerConfiguration(
      [
        { section: "secreview", scopeUri: "file:///a" },
        { section: "secreview" },
        { section: "python" },
        { section: "secreview.debounce" },
        { section: "secreview.nonsense" },
        {},
      ],
      settings,
    );
    assert.equal(answers.length, 6);
    assert.deepEqual(answers[0], { ...DEFAULT_SETTINGS, select: ["file:///a"] });
    assert.deepEqual(answers[1], DEFAULT_SETTINGS);
    assert.equal(answers[2], null);
    assert.equal(answers[3], 150);
    assert.equal(answers[4], null);
    assert.deepEqual(answers[5], { secreview: DEFAULT_SETTINGS });
  });

  test("the answer is what initializationOptions carry", () => {
    const init = readServerSettings(getter({ severity: "medium", ignore: ["SR101"] }));
    const [answer] = answerConfiguration([{ section: "secreview" }], () => init);
    assert.deepEqual(answer, init);
    assert.deepEqual(JSON.parse(JSON.stringify(answer)), init);
  });
});
