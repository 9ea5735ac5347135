// Settings → server launch and server options.
//
// This module must not import "vscode": everything here is plain data in and
// plain data out, so it can be unit-tested with node alone.

import * as path from "node:path";

export type Level = "low" | "medium" | "high";
export type Scope = "all" | "changed";

/** The options the server understands (initializationOptions and the
 *  `secreview` section of workspace/configuration have this shape). */
export interface ServerSettings {
  severity: Level;
  confidence: Level;
  select: string[];
  ignore: string[];
  debounce: number;
  scope: Scope;
  baseline: string;
}

/** Where the server's Python code comes from: the copy inside the extension, or the
 *  `secreview_ls` package installed in the interpreter's environment. */
export type ImportStrategy = "useBundled" | "fromEnvironment";

/** The settings that decide which program is run. */
export interface LaunchSettings {
  serverPath: string;
  interpreter: string;
  importStrategy: ImportStrategy;
  extraArgs: string[];
}

export interface LaunchCommand {
  command: string;
  args: string[];
  /** Where the program came from, for the log and the status tooltip. */
  origin: "server.path" | "interpreter" | "python extension" | "PATH";
  /** Runs the server bundled with the extension (with `command` as the interpreter). */
  bundled?: boolean;
}

/** Reads one key below the `secreview` section, like
 *  `vscode.WorkspaceConfiguration.get`. */
export type SettingGetter = (key: string) => unknown;

export interface PathContext {
  /** Absolute path of the workspace folder the setting applies to, if any. */
  folder?: string;
  home?: string;
}

export const SECTION = "secreview";
export const SERVER_MODULE = "secreview_ls";
export const SERVER_PROGRAM = "secreview-ls";
export const SCAN_COMMAND = "secreview.scanWorkspace";

/** Full setting names whose change means the server must be restarted. */
export const LAUNCH_SETTINGS: readonly string[] = [
  "secreview.server.path",
  "secreview.interpreter",
  "secreview.importStrategy",
  "secreview.server.extraArgs",
];

/** The oldest Python the server runs on. */
export const MIN_PYTHON = "3.11";

export const DEFAULT_SETTINGS: Readonly<ServerSettings> = Object.freeze({
  severity: "low",
  confidence: "low",
  select: [],
  ignore: [],
  debounce: 150,
  scope: "all",
  baseline: "",
});

const LEVELS: readonly Level[] = ["low", "medium", "high"];
const SCOPES: readonly Scope[] = ["all", "changed"];
const MAX_DEBOUNCE_MS = 10_000;

function asString(value: unknown): string {
  return typeof value === "string" ? value.trim() : "";
}

function asLevel(value: unknown, fallback: Level): Level {
  const s = asString(value).toLowerCase();
  return (LEVELS as readonly string[]).includes(s) ? (s as Level) : fallback;
}

function asStringList(value: unknown): string[] {
  if (!Array.isArray(value)) {
    return [];
  }
  return value.filter((v): v is string => typeof v === "string").map((v) => v.trim());
}

/** Rule ids: trimmed, upper-case, non-empty, without duplicates, in order. */
export function normaliseRuleIds(value: unknown): string[] {
  const seen = new Set<string>();
  for (const id of asStringList(value)) {
    const upper = id.toUpperCase();
    if (upper !== "") {
      seen.add(upper);
    }
  }
  return [...seen];
}

export function normaliseDebounce(value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    return DEFAULT_SETTINGS.debounce;
  }
  return Math.min(MAX_DEBOUNCE_MS, Math.max(0, Math.round(value)));
}

/**
 * Expands `~`, `${userHome}` and `${workspaceFolder}`, and makes a relative
 * path absolute against the workspace folder (when there is one). With
 * `bareIsPath` false, a bare name such as `python3` is left alone so that it
 * is looked up on PATH. Empty stays empty.
 */
export function expandPath(value: string, ctx: PathContext, bareIsPath = false): string {
  let p = value.trim();
  if (p === "") {
    return "";
  }
  if (ctx.home !== undefined) {
    p = p.replace(/\$\{userHome\}/g, ctx.home);
    if (p === "~" || p.startsWith("~/") || p.startsWith("~\\")) {
      p = ctx.home + p.slice(1);
    }
  }
  if (ctx.folder !== undefined) {
    p = p.replace(/\$\{workspaceFolder\}/g, ctx.folder);
    if (!path.isAbsolute(p) && (bareIsPath || looksLikePath(p))) {
      p = path.resolve(ctx.folder, p);
    }
  }
  return p;
}

/** A bare program name (`python3`, `secreview-ls`) is looked up on PATH; a
 *  value with a separator is a path. */
function looksLikePath(p: string): boolean {
  return p.includes("/") || p.includes("\\") || p.startsWith(".");
}

export function readServerSettings(get: SettingGetter, ctx: PathContext = {}): ServerSettings {
  const scope = asString(get("scope")).toLowerCase();
  return {
    severity: asLevel(get("severity"), DEFAULT_SETTINGS.severity),
    confidence: asLevel(get("confidence"), DEFAULT_SETTINGS.confidence),
    select: normaliseRuleIds(get("select")),
    ignore: normaliseRuleIds(get("ignore")),
    debounce: normaliseDebounce(get("debounce")),
    scope: (SCOPES as readonly string[]).includes(scope) ? (scope as Scope) : DEFAULT_SETTINGS.scope,
    // A baseline is always a file, so a bare name is relative to the folder.
    baseline: expandPath(asString(get("baseline")), ctx, true),
  };
}

/** Whether the user set a key (in any settings scope), as opposed to the
 *  contributed default. */
export type IsSet = (key: string) => boolean;

export const SERVER_SETTING_KEYS: readonly (keyof ServerSettings)[] = [
  "severity",
  "confidence",
  "select",
  "ignore",
  "debounce",
  "scope",
  "baseline",
];

/**
 * What the server is told: only the keys the user set, normalised. A key left
 * out takes the project's `[tool.secreview]` (pyproject.toml) or the server's
 * default, so an editor default never overrides a project's configuration.
 */
export function explicitServerSettings(
  get: SettingGetter,
  isSet: IsSet,
  ctx: PathContext = {},
): Partial<ServerSettings> {
  const all = readServerSettings(get, ctx);
  const out: Partial<ServerSettings> = {};
  for (const key of SERVER_SETTING_KEYS) {
    if (isSet(key)) {
      (out as Record<string, unknown>)[key] = all[key];
    }
  }
  return out;
}

export function readLaunchSettings(get: SettingGetter, ctx: PathContext = {}): LaunchSettings {
  return {
    serverPath: expandPath(asString(get("server.path")), ctx),
    interpreter: expandPath(asString(get("interpreter")), ctx),
    importStrategy: asString(get("importStrategy")) === "fromEnvironment" ? "fromEnvironment" : "useBundled",
    extraArgs: asStringList(get("server.extraArgs")).filter((a) => a !== ""),
  };
}

export function defaultPython(platform: NodeJS.Platform): string {
  return platform === "win32" ? "python" : "python3";
}

/** Interpreters to look for on PATH, best first: the default one, then versioned names
 *  (a `python3` older than 3.11 is common where a newer one is installed beside it). */
export function pythonsOnPath(platform: NodeJS.Platform): string[] {
  if (platform === "win32") {
    return ["python", "python3"];
  }
  return ["python3", "python3.14", "python3.13", "python3.12", "python3.11"];
}

/**
 * The commands to try, best first.
 *
 * An explicit `server.path` is the only candidate: when the user chose a program,
 * nothing else is run in its place. Otherwise the interpreter is the explicit
 * `interpreter`, else the one selected in the Python extension, else a Python on PATH,
 * and it runs either the server bundled with the extension (`useBundled`, when
 * `bundleScript` is given) or the `secreview_ls` module installed in its environment
 * (`fromEnvironment`, which also tries a `secreview-ls` program on PATH, as pipx
 * installs it).
 */
export function launchCandidates(
  launch: LaunchSettings,
  pythonFromExtension: string | undefined,
  platform: NodeJS.Platform,
  bundleScript?: string,
): LaunchCommand[] {
  if (launch.serverPath !== "") {
    return [{ command: launch.serverPath, args: [...launch.extraArgs], origin: "server.path" }];
  }
  const bundled = launch.importStrategy === "useBundled" && bundleScript !== undefined && bundleScript !== "";
  const serverArgs = bundled ? [bundleScript, ...launch.extraArgs] : ["-m", SERVER_MODULE, ...launch.extraArgs];
  const run = (command: string, origin: LaunchCommand["origin"]): LaunchCommand =>
    bundled ? { command, args: [...serverArgs], origin, bundled: true } : { command, args: [...serverArgs], origin };
  if (launch.interpreter !== "") {
    return [run(launch.interpreter, "interpreter")];
  }
  const candidates: LaunchCommand[] = [];
  const fromExtension = pythonFromExtension?.trim() ?? "";
  if (fromExtension !== "") {
    candidates.push(run(fromExtension, "python extension"));
  }
  if (!bundled) {
    candidates.push({ command: SERVER_PROGRAM, args: [...launch.extraArgs], origin: "PATH" });
    candidates.push(run(defaultPython(platform), "PATH"));
    return candidates;
  }
  for (const python of pythonsOnPath(platform)) {
    candidates.push(run(python, "PATH"));
  }
  return candidates;
}

/** The command that prints the server's version: the launch command without
 *  the extra arguments, plus `--version`. */
export function versionCommand(launch: LaunchCommand, extraArgs: readonly string[]): LaunchCommand {
  let args = launch.args;
  if (extraArgs.length > 0 && args.length >= extraArgs.length) {
    const tail = args.slice(args.length - extraArgs.length);
    if (tail.every((a, i) => a === extraArgs[i])) {
      args = args.slice(0, args.length - extraArgs.length);
    }
  }
  return { ...launch, args: [...args, "--version"] };
}

/** `secreview-ls 1.2.3` → `1.2.3`; anything else → undefined. */
export function parseVersion(output: string): string | undefined {
  const match = /^secreview-ls\s+(\d+\.\d+\.\d+\S*)\s*$/m.exec(output);
  return match?.[1];
}

/** A stable key: two launches with the same key run the same program. */
export function launchKey(launch: LaunchCommand): string {
  return JSON.stringify([launch.command, launch.args]);
}

/** Shell-like rendering for the log and error messages. */
export function formatCommand(launch: { command: string; args: readonly string[] }): string {
  const quote = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);
  return [launch.command, ...launch.args].map(quote).join(" ");
}

/**
 * Answers a workspace/configuration request: one result per item. Items for
 * the `secreview` section (or a key below it) get the settings of their
 * scope; other sections get null, as the protocol asks for unknown ones.
 */
export function answerConfiguration(
  items: readonly { section?: string; scopeUri?: string }[],
  settingsFor: (scopeUri: string | undefined) => Partial<ServerSettings>,
): unknown[] {
  return items.map((item) => {
    const section = item.section ?? "";
    if (section === SECTION) {
      return settingsFor(item.scopeUri);
    }
    if (section.startsWith(SECTION + ".")) {
      const key = section.slice(SECTION.length + 1);
      const settings = settingsFor(item.scopeUri) as unknown as Record<string, unknown>;
      return Object.prototype.hasOwnProperty.call(settings, key) ? settings[key] : null;
    }
    if (section === "") {
      return { [SECTION]: settingsFor(item.scopeUri) };
    }
    return null;
  });
}

/** What `--version` (or `--check`) said about why the server cannot start. */
export interface StartReport {
  /** `problem:` lines: what is missing or wrong. */
  problems: string[];
  /** `fix:` lines: what to do. */
  fixes: string[];
  /** `run:` lines: the shell commands that do it, for the interpreter that was tried. */
  commands: string[];
}

/** The `problem:`, `fix:` and `run:` lines of the server's report (`secreview-ls --check`). */
export function parseReport(output: string): StartReport {
  const report: StartReport = { problems: [], fixes: [], commands: [] };
  const prefixes: [string, string[]][] = [
    ["problem: ", report.problems],
    ["fix: ", report.fixes],
    ["run: ", report.commands],
  ];
  for (const raw of output.split(/\r?\n/)) {
    const line = raw.trim();
    for (const [prefix, list] of prefixes) {
      if (line.startsWith(prefix)) {
        list.push(line.slice(prefix.length));
      }
    }
  }
  return report;
}

/** One candidate that could not be used, and why. */
export interface LaunchFailure {
  launch: LaunchCommand;
  reason: string;
  report?: StartReport;
}

/** The message shown when no candidate could start, and the command to offer. */
export interface FailureAdvice {
  message: string;
  /** A shell command that repairs the set-up (from the server's `run:` line). */
  command?: string;
}

/**
 * The message for a start that found no usable server. The first candidate that ran
 * and explained itself (a `problem:` line) is the most useful; otherwise the message
 * says what was tried and what to install.
 */
export function failureAdvice(failures: readonly LaunchFailure[], strategy: ImportStrategy): FailureAdvice {
  const first = failures[0];
  if (first === undefined) {
    return { message: "SecReview: no server command to try." };
  }
  if (first.launch.origin === "server.path") {
    return {
      message: `SecReview: could not run the server at "${first.launch.command}" (secreview.server.path): ${first.reason}`,
    };
  }
  const explained = failures.find((f) => (f.report?.problems.length ?? 0) > 0);
  if (explained?.report !== undefined) {
    const { problems, fixes, commands } = explained.report;
    const fix = fixes.length > 0 ? ` Fix: ${fixes.join("; ")}.` : "";
    const message = `SecReview cannot start the server with ${explained.launch.command}: ${problems.join("; ")}.${fix}`;
    return commands[0] !== undefined ? { message, command: commands[0] } : { message };
  }
  const tried = failures.map((f) => f.launch.command).join(", ");
  if (strategy === "useBundled" && failures.some((f) => f.launch.bundled === true)) {
    return {
      message:
        `SecReview needs Python ${MIN_PYTHON} or newer to run its server, and found none (tried ${tried}). ` +
        `Install Python ${MIN_PYTHON}+, then select it (Python: Select Interpreter) or set secreview.interpreter.`,
    };
  }
  const install =
    "Install secreview-ls into it (pip install PATH, PATH being a secreview checkout or wheel), " +
    "or set secreview.importStrategy to useBundled";
  if (first.launch.origin === "interpreter") {
    return { message: `SecReview: "${first.launch.command}" cannot run ${SERVER_MODULE} (${first.reason}). ${install}.` };
  }
  return {
    message:
      `SecReview: the server was not found (tried ${failures.map((f) => formatCommand(f.launch)).join("; ")}). ` +
      `${install.replace("into it", "into the selected interpreter")}, or set secreview.interpreter or secreview.server.path.`,
  };
}
