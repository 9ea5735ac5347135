// Drives real VS Code (code-server, VS Code's web build) in headless Chromium with
// the installed .vsix: opens files of a copy of examples/vulnerable_app, reads the
// Problems panel, runs a quick fix and the suppress action, saves screenshots.
// Run by tests/test_vscode_e2e.py, which starts code-server and checks what this
// script records (JSON on stdout's last line and in $E2E_OUT/result.json).
//
// Environment: E2E_URL (code-server's address, with ?folder=...), E2E_CHROMIUM,
// E2E_PUPPETEER (path of the puppeteer-core package), E2E_OUT (folder for
// screenshots and the result), E2E_STEP_MS (bound of each wait, default 90000).

import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";

const url = need("E2E_URL");
const out = need("E2E_OUT");
const stepMs = Number(process.env.E2E_STEP_MS ?? "90000");
const puppeteer = (await import(pathToFileURL(path.join(need("E2E_PUPPETEER"), "lib/puppeteer/puppeteer-core.js")).href))
  .default;

const result = { steps: [], errors: [], problems: {}, actions: {}, screenshots: [], console: [] };

function need(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set`);
    process.exit(2);
  }
  return value;
}

function step(name) {
  result.steps.push({ name, at: Date.now() });
  console.error(`[drive] ${name}`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls fn (in node) until it returns a truthy value or the step's time is up. */
async function until(what, fn, ms = stepMs) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    }
    await sleep(250);
  }
}

async function shot(page, name) {
  const file = path.join(out, `vscode-${name}.png`);
  await page.screenshot({ path: file });
  result.screenshots.push(file);
}

async function press(page, ...keys) {
  for (const key of keys.slice(0, -1)) {
    await page.keyboard.down(key);
  }
  await page.keyboard.press(keys[keys.length - 1]);
  for (const key of keys.slice(0, -1).reverse()) {
    await page.keyboard.up(key);
  }
}

/** Opens a workspace file through Quick Open and waits for its editor tab. */
async function openFile(page, name) {
  await page.click(".monaco-workbench .part.editor");
  await press(page, "Control", "p");
  await page.waitForSelector(".quick-input-widget .quick-input-box input", { visible: true, timeout: stepMs });
  await page.keyboard.type(name, { delay: 20 });
  await until(`"${name}" in Quick Open`, () =>
    page.evaluate((n) => {
      const rows = [...document.querySelectorAll(".quick-input-list .monaco-list-row")];
      return rows.some((r) => (r.getAttribute("aria-label") ?? "").includes(n));
    }, name),
  );
  await page.keyboard.press("Enter");
  await until(`the editor tab of ${name}`, () =>
    page.evaluate((n) => {
      const tab = document.querySelector(".tabs-container .tab.active");
      return tab !== null && (tab.getAttribute("aria-label") ?? tab.textContent ?? "").includes(n);
    }, name),
  );
}

/** The rows of the Problems panel (files, findings and their related-information rows). */
function problemRows(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll(".markers-panel .monaco-list-row[aria-level]")].map((row) => ({
      label: row.getAttribute("aria-label") ?? "",
      text: (row.innerText ?? "").replace(/\s+/g, " ").trim(),
      level: Number(row.getAttribute("aria-level")),
    })),
  );
}

/** Shows the Problems panel (Ctrl+Shift+M toggles it, so only when it is hidden). */
async function showProblems(page) {
  const visible = await page.evaluate(() => {
    const panel = document.querySelector(".markers-panel");
    return panel !== null && panel.getBoundingClientRect().height > 0;
  });
  if (!visible) {
    await press(page, "Control", "Shift", "M");
  }
  await page.waitForSelector(".markers-panel", { visible: true, timeout: stepMs });
}

/** Reads every row of the Problems panel: the list is virtual (only the rows in view
 *  exist), so it is scrolled with the mouse wheel from top to bottom. */
async function readProblems(page) {
  await showProblems(page);
  await until("rows in the Problems panel", async () => (await problemRows(page)).length > 0);
  const box = await (await page.$(".markers-panel")).boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const toTop = async () => {
    for (let i = 0; i < 10; i++) {
      await page.mouse.wheel({ deltaY: -2_000 });
      await sleep(50);
    }
    await sleep(200);
  };
  await toTop();
  const seen = new Map();
  let unchanged = 0;
  for (let i = 0; i < 60 && unchanged < 2; i++) {
    const before = seen.size;
    for (const row of await problemRows(page)) {
      seen.set(`${row.level}|${row.label}`, row);
    }
    unchanged = seen.size === before ? unchanged + 1 : 0;
    await page.mouse.wheel({ deltaY: Math.max(100, box.height / 2) });
    await sleep(200);
  }
  await toTop(); // for the screenshot
  return [...seen.values()];
}

/** Goes to line:column, opens the quick-fix menu and runs the action whose title starts with `title`. */
async function runCodeAction(page, position, title) {
  await page.click(".monaco-editor .view-lines");
  await press(page, "Control", "g");
  await page.waitForSelector(".quick-input-widget .quick-input-box input", { visible: true, timeout: stepMs });
  await page.keyboard.type(position, { delay: 20 });
  await page.keyboard.press("Enter");
  await sleep(300);
  const titles = await until(`code actions at ${position}`, async () => {
    const found = await page.evaluate(() =>
      [...document.querySelectorAll(".action-widget .monaco-list-row")].map((r) => (r.innerText ?? "").trim()),
    );
    if (found.some((t) => t !== "")) {
      return found;
    }
    await press(page, "Control", ".");
    await sleep(700);
    return undefined;
  });
  const index = titles.findIndex((t) => t.startsWith(title));
  if (index < 0) {
    throw new Error(`no code action "${title}" at ${position}: ${JSON.stringify(titles)}`);
  }
  await page.evaluate((i) => {
    const rows = [...document.querySelectorAll(".action-widget .monaco-list-row")];
    rows[i].scrollIntoView();
  }, index);
  const rows = await page.$$(".action-widget .monaco-list-row");
  await rows[index].click();
  await until("the action menu to close", () =>
    page.evaluate(() => document.querySelector(".action-widget .monaco-list-row") === null),
  );
  await press(page, "Control", "s");
  return titles;
}

async function main() {
  const browser = await puppeteer.launch({
    executablePath: need("E2E_CHROMIUM"),
    headless: true,
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1600,1000"],
    defaultViewport: { width: 1600, height: 1000 },
    protocolTimeout: stepMs * 2,
  });
  try {
    const page = await browser.newPage();
    page.on("console", (m) => {
      if (m.type() === "error" && result.console.length < 50) {
        result.console.push(m.text().slice(0, 300));
      }
    });
    step("load the workbench");
    await page.goto(url, { waitUntil: "domcontentloaded", timeout: stepMs });
    await page.waitForSelector(".monaco-workbench", { timeout: stepMs });
    await page.waitForSelector(".explorer-folders-view, .explorer-viewlet, .part.sidebar", { timeout: stepMs });

    step("open app.py");
    await openFile(page, "app.py");
    step("wait for squiggles");
    await until("secreview's squiggles in app.py", () =>
      page.evaluate(() => document.querySelectorAll(".squiggly-error, .squiggly-warning, .squiggly-info").length > 0),
    );
    result.squiggles = await page.evaluate(() => ({
      error: document.querySelectorAll(".squiggly-error").length,
      warning: document.querySelectorAll(".squiggly-warning").length,
      info: document.querySelectorAll(".squiggly-info").length,
    }));

    step("read the Problems panel");
    // Findings arrive per file; give the whole file's analysis a moment to settle.
    await showProblems(page);
    await until("the SR802 row in the Problems panel", async () =>
      (await problemRows(page)).some((r) => r.text.includes("SR802")),
    );
    result.problems.app = await readProblems(page);
    await shot(page, "problems");

    step("quick fix: yaml.safe_load");
    result.actions.fix = await runCodeAction(page, "31:22", "Replace `yaml.load` with `yaml.safe_load`");
    step("suppress SR802");
    result.actions.suppress = await runCodeAction(page, "25:5", "Suppress SR802");
    await sleep(1500);
    result.problems.afterActions = await readProblems(page);
    await shot(page, "after-actions");

    step("open .env");
    await openFile(page, ".env");
    result.problems.env = await until("a finding for .env in the Problems panel", async () => {
      const rows = await readProblems(page);
      const file = rows.findIndex((r) => r.level === 1 && r.text.startsWith(".env"));
      return file >= 0 && rows[file + 1]?.level === 2 ? rows : undefined;
    });
    await shot(page, "dotenv");
    step("done");
  } catch (error) {
    result.errors.push(String(error?.stack ?? error));
    try {
      const pages = await browser.pages();
      if (pages.length > 0) {
        await shot(pages[pages.length - 1], "failure");
      }
    } catch {
      // no screenshot possible
    }
  } finally {
    await browser.close().catch(() => undefined);
  }
}

await main();
fs.writeFileSync(path.join(out, "result.json"), JSON.stringify(result, null, 1));
console.log(JSON.stringify({ errors: result.errors.length, steps: result.steps.map((s) => s.name) }));
process.exit(result.errors.length > 0 ? 1 : 0);
