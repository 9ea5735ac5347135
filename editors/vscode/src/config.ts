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

/** The settings that decide which program is run. */
export interface LaunchSettings {
  serverPath: string;
  interpreter: string;
  extraArgs: string[];
}

export interface LaunchCommand {
  command: string;
  args: string[];
  /** Where the choice came from, for the log and the status tooltip. */
  origin: "server.path" | "interpreter" | "python extension" | "PATH";
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
  "secreview.server.extraArgs",
];

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
    extraArgs: asStringList(get("server.extraArgs")).filter((a) => a !== ""),
  };
}

export function defaultPython(platform: NodeJS.Platform): string {
  return platform === "win32" ? "python" : "python3";
}

/**
 * The commands to try, best first.
 *
 * An explicit `server.path` or `interpreter` is the only candidate: when the
 * user chose a program, nothing else is run in its place. Otherwise the
 * interpreter selected in the Python extension comes first (a project's
 * virtualenv), then a `secreview-ls` on PATH (pipx), then the system Python.
 */
export function launchCandidates(
  launch: LaunchSettings,
  pythonFromExtension: string | undefined,
  platform: NodeJS.Platform,
): LaunchCommand[] {
  const moduleArgs = ["-m", SERVER_MODULE, ...launch.extraArgs];
  if (launch.serverPath !== "") {
    return [{ command: launch.serverPath, args: [...launch.extraArgs], origin: "server.path" }];
  }
  if (launch.interpreter !== "") {
    return [{ command: launch.interpreter, args: moduleArgs, origin: "interpreter" }];
  }
  const candidates: LaunchCommand[] = [];
  const fromExtension = pythonFromExtension?.trim() ?? "";
  if (fromExtension !== "") {
    candidates.push({ command: fromExtension, args: moduleArgs, origin: "python extension" });
  }
  candidates.push({ command: SERVER_PROGRAM, args: [...launch.extraArgs], origin: "PATH" });
  candidates.push({ command: defaultPython(platform), args: [...moduleArgs], origin: "PATH" });
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

/** The message shown when no candidate could start. */
export function noServerMessage(tried: readonly LaunchCommand[]): string {
  const first = tried[0];
  if (first === undefined) {
    return "SecReview: no server command to try.";
  }
  if (first.origin === "server.path") {
    return `SecReview: could not run the server at "${first.command}" (secreview.server.path).`;
  }
  if (first.origin === "interpreter") {
    return (
      `SecReview: "${first.command}" cannot run ${SERVER_MODULE}. ` +
      `Install it there (pip install secreview-ls) or change secreview.interpreter.`
    );
  }
  return (
    `SecReview: the server was not found (tried ${tried.map((t) => formatCommand(t)).join("; ")}). ` +
    `Install it (pip install secreview-ls) in the selected interpreter, or set secreview.interpreter or secreview.server.path.`
  );
}
