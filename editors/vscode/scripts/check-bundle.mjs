// Run before `vsce package`: the .vsix must carry the server (bundled/libs, filled by
// `npm run bundle`) and its launcher, or the extension would need a separate install.
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const libs = path.join(root, "bundled", "libs");
const required = [
  path.join(root, "bundled", "tool", "secreview_server.py"),
  ...["secreview_ls", "pygls", "lsprotocol", "cattrs", "attrs", "pathspec"].map((p) => path.join(libs, p, "__init__.py")),
];
const missing = required.filter((file) => !fs.existsSync(file));
if (missing.length > 0) {
  console.error(`The bundled server is incomplete (missing ${missing.map((m) => path.relative(root, m)).join(", ")}).`);
  console.error("Fill it first: npm run bundle   (python3 scripts/bundle_python.py [--wheel WHEEL])");
  process.exit(1);
}
const info = fs.readdirSync(libs).filter((name) => name.endsWith(".dist-info"));
console.log(`bundled server: ${info.map((name) => name.replace(/\.dist-info$/, "")).join(", ")}`);
