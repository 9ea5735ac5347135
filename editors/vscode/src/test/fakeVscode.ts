// A small stand-in for the "vscode" module: enough of the API for the bundled
// extension and vscode-languageclient to start, talk to a real server and
// report what they showed. It records status bar text, output lines,
// messages and diagnostics so tests can assert on them.

/* eslint-disable @typescript-eslint/no-explicit-any */

import { globToRegExp } from "../documents";

type Listener = (e: any) => unknown;

export class Disposable {
  constructor(private readonly fn: () => void = () => undefined) {}
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => items.forEach((i) => i.dispose()));
  }
  dispose(): void {
    this.fn();
  }
}

export class EventEmitter<T> {
  private listeners: Listener[] = [];
  event = (listener: (e: T) => unknown): Disposable => {
    this.listeners.push(listener as Listener);
    return new Disposable(() => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    });
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) {
      l(e);
    }
  }
  dispose(): void {
    this.listeners = [];
  }
}

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly fsPath: string,
  ) {}
  get path(): string {
    return this.fsPath;
  }
  static file(p: string): Uri {
    return new Uri("file", p);
  }
  static parse(s: string): Uri {
    if (s.startsWith("file://")) {
      return new Uri("file", decodeURIComponent(s.slice("file://".length)));
    }
    const i = s.indexOf(":");
    return new Uri(s.slice(0, i), s.slice(i + 1));
  }
  toString(): string {
    return this.scheme === "file" ? "file://" + this.fsPath.split("/").map(encodeURIComponent).join("/") : `${this.scheme}:${this.fsPath}`;
  }
  toJSON(): unknown {
    return { scheme: this.scheme, fsPath: this.fsPath };
  }
  with(): Uri {
    return this;
  }
}

class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}
class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(a: any, b: any, c?: number, d?: number) {
    if (typeof a === "number") {
      this.start = new Position(a, b as number);
      this.end = new Position(c ?? 0, d ?? 0);
    } else {
      this.start = a as Position;
      this.end = b as Position;
    }
  }
}
class Diagnostic {
  code: unknown;
  source: string | undefined;
  constructor(
    readonly range: Range,
    readonly message: string,
    readonly severity?: number,
  ) {}
}
class MarkdownString {
  constructor(
    public value = "",
    public supportThemeIcons = false,
  ) {}
  appendMarkdown(s: string): this {
    this.value += s;
    return this;
  }
}
class CancellationTokenSource {
  private readonly emitter = new EventEmitter<void>();
  token = { isCancellationRequested: false, onCancellationRequested: this.emitter.event };
  cancel(): void {
    this.token.isCancellationRequested = true;
    this.emitter.fire();
  }
  dispose(): void {
    this.emitter.dispose();
  }
}
class ThemeColor {
  constructor(readonly id: string) {}
}

/** Any class name the client may construct but this stand-in does not model. */
class Anything {
  readonly args: unknown[];
  constructor(...args: unknown[]) {
    this.args = args;
  }
}

export interface FakeDocument {
  uri: Uri;
  languageId: string;
  version: number;
  text: string;
}

export interface Recorder {
  status: string[];
  output: string[];
  messages: { level: string; text: string; items: string[] }[];
  clipboard: string[];
  diagnostics: Map<string, Diagnostic[]>;
  commands: Map<string, (...args: any[]) => unknown>;
  openDocument(doc: FakeDocument): void;
}

/** Hierarchical code action kinds, as in VS Code (`quickfix`, `source.fixAll`, ...). */
export class CodeActionKind {
  static readonly Empty = new CodeActionKind("");
  static readonly QuickFix = CodeActionKind.Empty.append("quickfix");
  static readonly Refactor = CodeActionKind.Empty.append("refactor");
  static readonly Source = CodeActionKind.Empty.append("source");
  static readonly SourceFixAll = CodeActionKind.Source.append("fixAll");
  static readonly SourceOrganizeImports = CodeActionKind.Source.append("organizeImports");
  constructor(readonly value: string) {}
  append(part: string): CodeActionKind {
    return new CodeActionKind(this.value ? `${this.value}.${part}` : part);
  }
  contains(other: CodeActionKind): boolean {
    return this.value === "" || other.value === this.value || other.value.startsWith(`${this.value}.`);
  }
  intersects(other: CodeActionKind): boolean {
    return this.contains(other) || other.contains(this);
  }
}

export function createFakeVscode(settings: Record<string, unknown>, folder: string): { api: any; recorder: Recorder } {
  const openEmitter = new EventEmitter<any>();
  const documents: any[] = [];
  const recorder: Recorder = {
    status: [],
    output: [],
    messages: [],
    clipboard: [],
    diagnostics: new Map(),
    commands: new Map(),
    openDocument(doc: FakeDocument) {
      const lines = doc.text.split("\n");
      const textDocument = {
        uri: doc.uri,
        fileName: doc.uri.fsPath,
        languageId: doc.languageId,
        version: doc.version,
        isClosed: false,
        isUntitled: false,
        lineCount: lines.length,
        getText: () => doc.text,
        lineAt: (n: number) => ({ text: lines[n] ?? "" }),
      };
      documents.push(textDocument);
      openEmitter.fire(textDocument);
    },
  };
  const noopEvent = (): Disposable => new Disposable();
  const folderUri = Uri.file(folder);
  const configuration = (section?: string): any => ({
    get: (key: string, fallback?: unknown) => {
      const full = section ? `${section}.${key}` : key;
      return full in settings ? settings[full] : fallback;
    },
    has: (key: string) => (section ? `${section}.${key}` : key) in settings,
    inspect: (key: string) => {
      const full = section ? `${section}.${key}` : key;
      return full in settings ? { key: full, globalValue: settings[full] } : { key: full };
    },
    update: () => Promise.resolve(),
  });
  const output = (name: string): any => ({
    name,
    append: (s: string) => recorder.output.push(s),
    appendLine: (s: string) => recorder.output.push(s),
    replace: () => undefined,
    clear: () => undefined,
    show: () => undefined,
    hide: () => undefined,
    dispose: () => undefined,
    // LogOutputChannel methods, in case they are used.
    trace: (s: string) => recorder.output.push(s),
    debug: (s: string) => recorder.output.push(s),
    info: (s: string) => recorder.output.push(s),
    warn: (s: string) => recorder.output.push(s),
    error: (s: unknown) => recorder.output.push(String(s)),
  });
  const message =
    (level: string) =>
    (text: string, ...items: unknown[]): Promise<string | undefined> => {
      const labels = items.filter((i): i is string => typeof i === "string");
      recorder.messages.push({ level, text, items: labels });
      // A test can pick a button: settings["test.choose"] names it.
      const choose = settings["test.choose"];
      return Promise.resolve(typeof choose === "string" && labels.includes(choose) ? choose : undefined);
    };

  const languages: any = new Proxy<Record<string, any>>(
    {
      createDiagnosticCollection: (name: string) => {
        const collection = {
          name,
          set: (uri: any, diags: Diagnostic[] | undefined) => {
            if (Array.isArray(uri)) {
              for (const [u, d] of uri) {
                recorder.diagnostics.set(u.toString(), d ?? []);
              }
            } else {
              recorder.diagnostics.set(uri.toString(), diags ?? []);
            }
          },
          delete: (uri: any) => recorder.diagnostics.delete(uri.toString()),
          clear: () => recorder.diagnostics.clear(),
          get: (uri: any) => recorder.diagnostics.get(uri.toString()),
          has: (uri: any) => recorder.diagnostics.has(uri.toString()),
          forEach: () => undefined,
          dispose: () => undefined,
        };
        return collection;
      },
      match: (selector: any, doc: any): number => {
        const selectors = Array.isArray(selector) ? selector : [selector];
        return selectors.some(
          (s: any) =>
            (typeof s === "string" ? s === doc.languageId : !s.language || s.language === doc.languageId) &&
            (typeof s === "string" || !s.scheme || s.scheme === doc.uri.scheme) &&
            (typeof s === "string" || !s.pattern || globToRegExp(s.pattern).test(doc.uri.fsPath)),
        )
          ? 10
          : 0;
      },
      getDiagnostics: () => [],
    },
    {
      get: (target, prop: string) => (prop in target ? target[prop] : () => new Disposable()),
    },
  );

  const statusItem = (): any => {
    const item: any = { show: () => undefined, hide: () => undefined, dispose: () => undefined };
    return new Proxy(item, {
      set: (t, prop: string, value) => {
        t[prop] = value;
        if (prop === "text") {
          recorder.status.push(String(value));
        }
        return true;
      },
    });
  };

  const workspace: any = new Proxy<Record<string, any>>(
    {
      workspaceFolders: [{ uri: folderUri, name: "ws", index: 0 }],
      textDocuments: documents,
      notebookDocuments: [],
      getConfiguration: configuration,
      getWorkspaceFolder: () => ({ uri: folderUri, name: "ws", index: 0 }),
      onDidOpenTextDocument: openEmitter.event,
      createFileSystemWatcher: () => ({
        onDidCreate: noopEvent,
        onDidChange: noopEvent,
        onDidDelete: noopEvent,
        dispose: () => undefined,
      }),
      applyEdit: () => Promise.resolve(true),
      isTrusted: true,
    },
    { get: (t, prop: string) => (prop in t ? t[prop] : prop.startsWith("on") ? noopEvent : undefined) },
  );

  const window: any = new Proxy<Record<string, any>>(
    {
      createOutputChannel: output,
      createStatusBarItem: statusItem,
      showErrorMessage: message("error"),
      showWarningMessage: message("warning"),
      showInformationMessage: message("info"),
      withProgress: (_o: unknown, task: (p: unknown, t: unknown) => unknown) =>
        task({ report: () => undefined }, new CancellationTokenSource().token),
      activeTextEditor: undefined,
      visibleTextEditors: [],
      tabGroups: { all: [], onDidChangeTabs: noopEvent, onDidChangeTabGroups: noopEvent },
    },
    { get: (t, prop: string) => (prop in t ? t[prop] : prop.startsWith("on") ? noopEvent : () => undefined) },
  );

  const base: Record<string, unknown> = {
    version: "1.90.0",
    NotebookCellKind: { Markup: 1, Code: 2 },
    env: {
      appName: "Fake Code",
      language: "en",
      machineId: "x",
      openExternal: () => Promise.resolve(true),
      clipboard: {
        writeText: (text: string) => {
          recorder.clipboard.push(text);
          return Promise.resolve();
        },
        readText: () => Promise.resolve(recorder.clipboard[recorder.clipboard.length - 1] ?? ""),
      },
    },
    Disposable,
    EventEmitter,
    Uri,
    Position,
    Range,
    Diagnostic,
    MarkdownString,
    CancellationTokenSource,
    CancellationError: class CancellationError extends Error {},
    CodeActionKind,
    ThemeColor,
    StatusBarAlignment: { Left: 1, Right: 2 },
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
    workspace,
    window,
    languages,
    commands: {
      registerCommand: (id: string, fn: (...args: any[]) => unknown) => {
        recorder.commands.set(id, fn);
        return new Disposable(() => recorder.commands.delete(id));
      },
      executeCommand: (id: string, ...args: unknown[]) => Promise.resolve(recorder.commands.get(id)?.(...args)),
      getCommands: () => Promise.resolve([...recorder.commands.keys()]),
    },
    extensions: { getExtension: () => undefined, all: [] },
  };
  const api = new Proxy(base, {
    get: (t, prop: string) => (prop in t ? t[prop] : /^[A-Z]/.test(prop) ? Anything : undefined),
  });
  return { api, recorder };
}
