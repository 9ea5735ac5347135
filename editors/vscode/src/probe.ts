// Runs `<server> --version` to check a launch command before starting the
// language client, so that a missing server gives a clear message instead of
// a client that dies on start. The server answers --version only when it can
// start; otherwise it prints a report (problem:, fix: and run: lines) that is
// passed on. Node only, no "vscode" import.

import { execFile } from "node:child_process";

import { type LaunchCommand, parseReport, parseVersion, type StartReport } from "./config";

export type ProbeResult =
  | { ok: true; version: string }
  | { ok: false; reason: string; report?: StartReport };

export interface ProbeOptions {
  timeoutMs?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export function probeVersion(command: LaunchCommand, options: ProbeOptions = {}): Promise<ProbeResult> {
  const timeout = options.timeoutMs ?? 15_000;
  return new Promise((resolve) => {
    let child;
    try {
      child = execFile(
        command.command,
        command.args,
        {
          timeout,
          cwd: options.cwd,
          env: options.env ?? process.env,
          windowsHide: true,
          maxBuffer: 256 * 1024,
        },
        (error, stdout, stderr) => {
          const version = parseVersion(String(stdout));
          if (version !== undefined) {
            resolve({ ok: true, version });
            return;
          }
          if (error !== null) {
            const err = error as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null };
            let reason: string;
            if (err.code === "ENOENT") {
              reason = `${command.command}: not found`;
            } else if (err.code === "EACCES") {
              reason = `${command.command}: not executable`;
            } else if (err.killed === true || err.signal === "SIGTERM") {
              reason = `${command.command}: no answer within ${timeout} ms`;
            } else {
              const report = parseReport(`${String(stdout)}\n${String(stderr)}`);
              if (report.problems.length > 0) {
                resolve({ ok: false, reason: report.problems.join("; "), report });
                return;
              }
              reason =
                lastLine(String(stderr)) ||
                (typeof err.code === "number" ? `${command.command} exited with code ${err.code}` : err.message);
            }
            resolve({ ok: false, reason });
            return;
          }
          resolve({
            ok: false,
            reason: `unexpected --version output: ${JSON.stringify(String(stdout).slice(0, 200))}`,
          });
        },
      );
    } catch (e) {
      resolve({ ok: false, reason: e instanceof Error ? e.message : String(e) });
      return;
    }
    child.stdin?.end();
  });
}

function lastLine(text: string): string {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  return lines.length > 0 ? lines[lines.length - 1]!.trim() : "";
}
