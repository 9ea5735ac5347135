// What the status bar item shows for each server state. No "vscode" import.

export type ServerState = "starting" | "running" | "stopped" | "error";

export interface StatusView {
  text: string;
  tooltip: string;
  /** Theme colour id for the item's background, if the state needs one. */
  background?: string;
}

export interface StatusDetail {
  /** e.g. `0.1.0`, from `--version`. */
  version?: string;
  /** The command line that runs (or failed to run) the server. */
  command?: string;
  /** Why the server is in the error state. */
  error?: string;
}

const ICONS: Record<ServerState, string> = {
  starting: "$(sync~spin)",
  running: "$(shield)",
  stopped: "$(circle-slash)",
  error: "$(error)",
};

const WORDS: Record<ServerState, string> = {
  starting: "starting",
  running: "running",
  stopped: "stopped",
  error: "error",
};

export function statusView(state: ServerState, detail: StatusDetail = {}): StatusView {
  const lines = [`SecReview server: ${WORDS[state]}`];
  if (detail.version !== undefined) {
    lines[0] += ` (secreview-ls ${detail.version})`;
  }
  if (detail.error !== undefined && state === "error") {
    lines.push(detail.error);
  }
  if (detail.command !== undefined) {
    lines.push(`Command: ${detail.command}`);
  }
  lines.push("Click to show the output.");
  const view: StatusView = { text: `${ICONS[state]} SecReview`, tooltip: lines.join("\n") };
  if (state === "error") {
    view.background = "statusBarItem.errorBackground";
  } else if (state === "stopped") {
    view.background = "statusBarItem.warningBackground";
  }
  return view;
}
