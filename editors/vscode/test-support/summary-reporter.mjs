// A quiet reporter for `node --test`: one line per failed or skipped test (with the
// reason), the failures' errors, and a summary line. The output the tests printed is
// shown only when something failed. Usage: node --test --test-reporter=./test-support/summary-reporter.mjs
import { inspect } from "node:util";

export default async function* summaryReporter(source) {
  let passed = 0;
  let skipped = 0;
  let todo = 0;
  const failures = [];
  const output = [];
  const started = Date.now();
  for await (const event of source) {
    const data = event.data ?? {};
    const isSuite = data.details?.type === "suite";
    switch (event.type) {
      case "test:pass":
        if (isSuite) {
          break;
        }
        if (data.skip !== undefined && data.skip !== false) {
          skipped += 1;
          const reason = typeof data.skip === "string" ? data.skip : "skipped";
          yield `skipped: ${data.name} (${reason})\n`;
        } else if (data.todo !== undefined && data.todo !== false) {
          todo += 1;
        } else {
          passed += 1;
        }
        break;
      case "test:fail": {
        if (isSuite && data.details?.error?.failureType === "subtestsFailed") {
          break;
        }
        const error = data.details?.error;
        const cause = error?.cause ?? error;
        const where = data.file !== undefined ? ` (${data.file}${data.line !== undefined ? `:${data.line}` : ""})` : "";
        failures.push(`FAILED: ${data.name}${where}\n${indent(cause instanceof Error ? cause.stack ?? cause.message : inspect(cause))}`);
        yield `FAILED: ${data.name}\n`;
        break;
      }
      case "test:stdout":
      case "test:stderr":
        output.push(data.message);
        break;
      default:
        break;
    }
  }
  if (failures.length > 0) {
    if (output.length > 0) {
      yield `\n--- output of the test files ---\n${output.join("").slice(-20_000)}\n`;
    }
    yield `\n${failures.join("\n\n")}\n`;
  }
  const parts = [`${passed} passed`, `${failures.length} failed`, `${skipped} skipped`];
  if (todo > 0) {
    parts.push(`${todo} todo`);
  }
  yield `node tests: ${parts.join(", ")} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`;
}

function indent(text) {
  return String(text)
    .split("\n")
    .slice(0, 30)
    .map((line) => `    ${line}`)
    .join("\n");
}
