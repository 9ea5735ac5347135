// VS Code glue: reads settings, starts the secreview-ls language server over
// stdio, keeps the status bar item and the commands. The decisions (which
// program to run, what the server is told) live in ./config.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  State,
  TransportKind,
} from "vscode-languageclient/node";

import {
  answerConfiguration,
  explicitServerSettings,
  failureAdvice,
  formatCommand,
  LAUNCH_SETTINGS,
  type LaunchCommand,
  launchCandidates,
  type LaunchFailure,
  launchKey,
  readLaunchSettings,
  SCAN_COMMAND,
  SECTION,
  type ServerSettings,
  versionCommand,
} from "./config";
import {
  documentSelector,
  TEMPLATE_FOLDERS_NOTIFICATION,
  templateFoldersMessage,
  templateFoldersOf,
  templatePatternsOf,
} from "./documents";
import { probeVersion } from "./probe";
import { type ServerState, statusView } from "./status";

const NAME = "SecReview";
const STOP_TIMEOUT_MS = 3_000;

// The slice of the Python extension's API this extension uses.
interface PythonEnvironmentsApi {
  getActiveEnvironmentPath(resource?: vscode.Uri): { path: string } | undefined;
  resolveEnvironment(
    env: { path: string } | string,
  ): Promise<{ executable: { uri?: vscode.Uri } } | undefined>;
  onDidChangeActiveEnvironmentPath?: vscode.Event<unknown>;
}
interface PythonExtensionApi {
  environments?: PythonEnvironmentsApi;
  settings?: {
    getExecutionDetails?(resource?: vscode.Uri): { execCommand: string[] | undefined };
  };
}

let controller: Controller | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  controller = new Controller(bundledServer(context.extensionPath));
  context.subscriptions.push(controller);
  await controller.start();
}

export async function deactivate(): Promise<void> {
  await controller?.stop();
  controller = undefined;
}

/** The launcher of the server bundled in the extension (bundled/tool), when the
 *  package's libraries are there (bundled/libs, filled when the .vsix is built). */
function bundledServer(extensionPath: string | undefined): string | undefined {
  if (extensionPath === undefined) {
    return undefined;
  }
  const bundled = path.join(extensionPath, "bundled");
  const script = path.join(bundled, "tool", "secreview_server.py");
  const marker = path.join(bundled, "libs", "secreview_ls", "__init__.py");
  return fs.existsSync(script) && fs.existsSync(marker) ? script : undefined;
}

class Controller implements vscode.Disposable {
  private readonly output: vscode.OutputChannel;
  private readonly status: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private client: LanguageClient | undefined;
  private running: LaunchCommand | undefined;
  private version: string | undefined;
  /** Start, stop and restart run one at a time, in order. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly bundleScript: string | undefined) {
    this.output = vscode.window.createOutputChannel(NAME);
    this.status = vscode.window.createStatusBarItem("secreview.status", vscode.StatusBarAlignment.Right, 100);
    this.status.name = NAME;
    this.status.command = "secreview.client.showOutput";
    this.setState("stopped");
    this.status.show();

    this.disposables.push(
      this.output,
      this.status,
      vscode.commands.registerCommand("secreview.client.showOutput", () => this.output.show(true)),
      vscode.commands.registerCommand("secreview.client.restart", () => this.restart("restart requested")),
      vscode.commands.registerCommand("secreview.client.scanWorkspace", () => this.scanWorkspace()),
      vscode.workspace.onDidChangeConfiguration((e) => this.onConfigurationChanged(e)),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.restart("workspace trusted")),
    );
    void this.watchPythonInterpreter();
  }

  dispose(): void {
    for (const d of this.disposables) {
      d.dispose();
    }
  }

  start(): Promise<void> {
    return this.enqueue(() => this.doStart());
  }

  stop(): Promise<void> {
    return this.enqueue(() => this.doStop());
  }

  restart(reason: string): Promise<void> {
    return this.enqueue(async () => {
      this.log(`Restarting the server (${reason}).`);
      await this.doStop();
      await this.doStart();
    });
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const next = this.queue.then(task, task);
    this.queue = next.catch((e: unknown) => this.log(`error: ${describe(e)}`));
    return this.queue;
  }

  private log(message: string): void {
    this.output.appendLine(`[${new Date().toISOString()}] ${message}`);
  }

  private setState(state: ServerState, error?: string): void {
    const view = statusView(state, {
      version: state === "running" ? this.version : undefined,
      command: this.running !== undefined ? formatCommand(this.running) : undefined,
      error,
    });
    this.status.text = view.text;
    this.status.tooltip = view.tooltip;
    this.status.backgroundColor = view.background !== undefined ? new vscode.ThemeColor(view.background) : undefined;
  }

  // --- settings -----------------------------------------------------------

  private firstFolder(): vscode.WorkspaceFolder | undefined {
    return vscode.workspace.workspaceFolders?.[0];
  }

  private settingsFor(scope: vscode.Uri | undefined): Partial<ServerSettings> {
    const folder = scope !== undefined ? vscode.workspace.getWorkspaceFolder(scope) : this.firstFolder();
    const config = vscode.workspace.getConfiguration(SECTION, scope ?? folder?.uri);
    return explicitServerSettings(
      (key) => config.get(key),
      (key) => {
        const i = config.inspect(key);
        return (
          i !== undefined &&
          (i.globalValue !== undefined || i.workspaceValue !== undefined || i.workspaceFolderValue !== undefined)
        );
      },
      {
        folder: folder?.uri.scheme === "file" ? folder.uri.fsPath : undefined,
        home: os.homedir(),
      },
    );
  }

  private onConfigurationChanged(e: vscode.ConfigurationChangeEvent): void {
    if (LAUNCH_SETTINGS.some((s) => e.affectsConfiguration(s))) {
      void this.restartIfLaunchChanged();
      return;
    }
    if (e.affectsConfiguration(SECTION) && this.client?.isRunning() === true) {
      // Servers that pull settings re-read them on this notification;
      // the payload is there for those that do not.
      void this.client
        .sendNotification(DidChangeConfigurationNotification.type, {
          settings: { [SECTION]: this.settingsFor(undefined) },
        })
        .catch((err: unknown) => this.log(`didChangeConfiguration failed: ${describe(err)}`));
    }
  }

  private async restartIfLaunchChanged(): Promise<void> {
    const candidates = await this.candidates();
    const same =
      this.running !== undefined && candidates.length > 0 && launchKey(candidates[0]!) === launchKey(this.running);
    // A candidate list with fallbacks may still pick the same program; a
    // restart is cheap, and the settings did change, so restart unless the
    // first choice is exactly what runs now.
    if (!same) {
      await this.restart("server settings changed");
    }
  }

  private async candidates(): Promise<LaunchCommand[]> {
    const folder = this.firstFolder();
    const config = vscode.workspace.getConfiguration(SECTION, folder?.uri);
    const launch = readLaunchSettings((key) => config.get(key), {
      folder: folder?.uri.scheme === "file" ? folder.uri.fsPath : undefined,
      home: os.homedir(),
    });
    const python =
      launch.serverPath === "" && launch.interpreter === "" ? await this.pythonFromExtension(folder?.uri) : undefined;
    if (launch.importStrategy === "useBundled" && this.bundleScript === undefined && launch.serverPath === "") {
      this.log("This build of the extension has no bundled server: using the interpreter's installed package.");
    }
    return launchCandidates(launch, python, process.platform, this.bundleScript);
  }

  // --- the Python extension -----------------------------------------------

  private async pythonApi(): Promise<PythonExtensionApi | undefined> {
    const ext = vscode.extensions.getExtension<PythonExtensionApi>("ms-python.python");
    if (ext === undefined) {
      return undefined;
    }
    try {
      return ext.isActive ? ext.exports : await withTimeout(Promise.resolve(ext.activate()), 10_000);
    } catch (e) {
      this.log(`The Python extension did not activate: ${describe(e)}`);
      return undefined;
    }
  }

  private async pythonFromExtension(resource: vscode.Uri | undefined): Promise<string | undefined> {
    const api = await this.pythonApi();
    if (api === undefined) {
      return undefined;
    }
    try {
      const envs = api.environments;
      if (envs !== undefined) {
        const active = envs.getActiveEnvironmentPath(resource);
        if (active !== undefined) {
          const resolved = await withTimeout(envs.resolveEnvironment(active), 10_000);
          const exe = resolved?.executable.uri?.fsPath;
          if (exe !== undefined && exe !== "") {
            return exe;
          }
        }
      }
      const legacy = api.settings?.getExecutionDetails?.(resource).execCommand;
      if (legacy !== undefined && legacy.length === 1 && legacy[0] !== undefined && legacy[0] !== "") {
        return legacy[0];
      }
    } catch (e) {
      this.log(`Could not read the selected interpreter: ${describe(e)}`);
    }
    return undefined;
  }

  private async watchPythonInterpreter(): Promise<void> {
    const api = await this.pythonApi();
    const event = api?.environments?.onDidChangeActiveEnvironmentPath;
    if (event === undefined) {
      return;
    }
    this.disposables.push(
      event(() => {
        const config = vscode.workspace.getConfiguration(SECTION, this.firstFolder()?.uri);
        const launch = readLaunchSettings((key) => config.get(key));
        if (launch.serverPath === "" && launch.interpreter === "") {
          void this.restartIfLaunchChanged();
        }
      }),
    );
  }

  // --- life cycle ---------------------------------------------------------

  private async doStart(): Promise<void> {
    this.running = undefined;
    this.version = undefined;
    this.setState("starting");
    const folder = this.firstFolder();
    const cwd = folder?.uri.scheme === "file" ? folder.uri.fsPath : undefined;
    const config = vscode.workspace.getConfiguration(SECTION, folder?.uri);
    const extraArgs = readLaunchSettings((key) => config.get(key)).extraArgs;

    const candidates = await this.candidates();
    let chosen: LaunchCommand | undefined;
    const failures: LaunchFailure[] = [];
    for (const candidate of candidates) {
      const check = versionCommand(candidate, extraArgs);
      const result = await probeVersion(check, { cwd });
      if (result.ok) {
        this.log(`Found secreview-ls ${result.version}${candidate.bundled === true ? " (bundled)" : ""}: ${formatCommand(check)}`);
        chosen = candidate;
        this.version = result.version;
        break;
      }
      this.log(`Not usable: ${formatCommand(check)}: ${result.reason}`);
      for (const line of result.report?.fixes ?? []) {
        this.log(`  fix: ${line}`);
      }
      for (const line of result.report?.commands ?? []) {
        this.log(`  run: ${line}`);
      }
      failures.push({ launch: candidate, reason: result.reason, report: result.report });
    }
    if (chosen === undefined) {
      const strategy = readLaunchSettings((key) => config.get(key)).importStrategy;
      const advice = failureAdvice(failures, strategy);
      this.log(advice.message);
      this.setState("error", advice.message);
      void this.showStartFailure(advice.message, advice.command);
      return;
    }

    this.running = chosen;
    this.log(`Starting: ${formatCommand(chosen)}`);
    const serverOptions: ServerOptions = {
      command: chosen.command,
      args: chosen.args,
      transport: TransportKind.stdio,
      options: { cwd, env: { ...process.env, PYTHONUNBUFFERED: "1" } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: documentSelector(
        templatePatternsOf(vscode.workspace.getConfiguration(SECTION).get("templateFilePatterns")),
      ),
      diagnosticCollectionName: "secreview",
      outputChannel: this.output,
      initializationOptions: this.settingsFor(undefined),
      initializationFailedHandler: (error) => {
        this.log(`Initialization failed: ${describe(error)}`);
        return false;
      },
      middleware: {
        workspace: {
          configuration: (params) =>
            answerConfiguration(params.items, (scopeUri) =>
              this.settingsFor(scopeUri !== undefined ? vscode.Uri.parse(scopeUri) : undefined),
            ),
        },
      },
    };
    const client = new LanguageClient("secreview", NAME, serverOptions, clientOptions);
    this.client = client;
    client.onNotification(TEMPLATE_FOLDERS_NOTIFICATION, (params: unknown) => {
      this.log(templateFoldersMessage(templateFoldersOf(params)));
    });
    client.onDidChangeState((e) => {
      if (this.client !== client) {
        return;
      }
      if (e.newState === State.Running) {
        this.setState("running");
      } else if (e.newState === State.Starting) {
        this.setState("starting");
      } else {
        this.setState("stopped");
      }
    });
    try {
      await client.start();
      this.setState("running");
    } catch (e) {
      const message = `SecReview: the server failed to start: ${describe(e)}`;
      this.log(message);
      this.setState("error", message);
      void vscode.window.showErrorMessage(message, "Show output").then((choice) => {
        if (choice === "Show output") {
          this.output.show(true);
        }
      });
    }
  }

  private async doStop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client !== undefined) {
      try {
        if (client.needsStop()) {
          await client.stop(STOP_TIMEOUT_MS);
        }
      } catch (e) {
        this.log(`Stopping the server: ${describe(e)}`);
      }
      try {
        await client.dispose(STOP_TIMEOUT_MS);
      } catch {
        // already stopped
      }
    }
    this.running = undefined;
    this.setState("stopped");
  }

  /** The error notification for a server that cannot start, with what can be done. */
  private async showStartFailure(message: string, command: string | undefined): Promise<void> {
    const copy = "Copy fix command";
    const select = "Select interpreter";
    const choices = [
      ...(command !== undefined ? [copy] : []),
      ...(vscode.extensions.getExtension("ms-python.python") !== undefined ? [select] : []),
      "Open settings",
      "Show output",
    ];
    const choice = await vscode.window.showErrorMessage(message, ...choices);
    if (choice === copy && command !== undefined) {
      await vscode.env.clipboard.writeText(command);
      void vscode.window.showInformationMessage(`SecReview: copied "${command}": run it in a terminal, then restart the server.`);
    } else if (choice === select) {
      void vscode.commands.executeCommand("python.setInterpreter");
    } else if (choice === "Open settings") {
      void vscode.commands.executeCommand("workbench.action.openSettings", "secreview");
    } else if (choice === "Show output") {
      this.output.show(true);
    }
  }

  // --- commands -----------------------------------------------------------

  private async scanWorkspace(): Promise<void> {
    await this.queue;
    const client = this.client;
    if (client === undefined || !client.isRunning()) {
      void vscode.window.showWarningMessage("SecReview: the server is not running.", "Show output").then((c) => {
        if (c === "Show output") {
          this.output.show(true);
        }
      });
      return;
    }
    try {
      const result: unknown = await client.sendRequest(ExecuteCommandRequest.type, {
        command: SCAN_COMMAND,
        arguments: [],
      });
      const summary = summarise(result);
      if (summary !== undefined) {
        void vscode.window.showInformationMessage(`SecReview: ${summary}`);
      }
    } catch (e) {
      const message = `SecReview: the workspace scan failed: ${describe(e)}`;
      this.log(message);
      void vscode.window.showErrorMessage(message);
    }
  }
}

/** A short line for a scan result the server may return. */
function summarise(result: unknown): string | undefined {
  if (typeof result === "string" && result !== "") {
    return result;
  }
  if (typeof result === "object" && result !== null) {
    const r = result as Record<string, unknown>;
    const files = typeof r["files"] === "number" ? r["files"] : undefined;
    const findings = typeof r["findings"] === "number" ? r["findings"] : undefined;
    if (files !== undefined && findings !== undefined) {
      return `${findings} finding${findings === 1 ? "" : "s"} in ${files} file${files === 1 ? "" : "s"}.`;
    }
  }
  return "workspace scan finished.";
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
