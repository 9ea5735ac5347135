import * as assert from "node:assert/strict";
import { test } from "node:test";

import {
  documentSelector,
  globToRegExp,
  isServedFile,
  SECRET_FILE_NAMES,
  TEMPLATE_FILE_PATTERNS,
  templateFoldersMessage,
  templateFoldersOf,
  templatePatternsOf,
} from "../documents";

test("Python by language, saved or untitled", () => {
  const selector = documentSelector();
  assert.deepEqual(selector.slice(0, 2), [
    { scheme: "file", language: "python" },
    { scheme: "untitled", language: "python" },
  ]);
  assert.ok(isServedFile("/p/tools/run", "python"), "a script without a suffix, known as Python by its editor");
});

test("configuration and key files by name, in any folder", () => {
  for (const file of [
    "/p/.env",
    "/p/.env.production",
    "/p/deploy/prod.env",
    "/p/settings.yaml",
    "/p/k8s/secret.yml",
    "/p/config.json",
    "/p/pyproject.toml",
    "/p/app.ini",
    "/p/setup.cfg",
    "/p/nginx.conf",
    "/p/app.properties",
    "/p/certs/server.pem",
    "/p/tls.key",
    "/home/u/.ssh/id_rsa",
    "/home/u/.ssh/id_ed25519",
    "C:\\p\\.env",
  ]) {
    assert.ok(isServedFile(file, "plaintext"), file);
  }
});

test("other files are left alone", () => {
  for (const file of ["/p/README.md", "/p/notes.txt", "/p/main.c", "/p/id_rsa.pub", "/p/.envrc", "/p/environment.py.bak"]) {
    assert.ok(!isServedFile(file, "plaintext"), file);
  }
});

test("every name has its pattern, saved files only", () => {
  const patterns = documentSelector().filter((f) => f.pattern !== undefined);
  assert.equal(patterns.length, SECRET_FILE_NAMES.length + TEMPLATE_FILE_PATTERNS.length);
  assert.ok(patterns.every((f) => f.scheme === "file" && f.language === undefined));
});

test("globs: ** crosses folders, * does not", () => {
  assert.ok(globToRegExp("**/*.env").test("a/b/x.env"));
  assert.ok(globToRegExp("**/*.env").test("x.env"));
  assert.ok(!globToRegExp("*.env").test("a/x.env"));
  assert.ok(!globToRegExp("**/.env").test("a/x.env"));
  assert.ok(globToRegExp("**/.env.*").test("/a/.env.local"));
});

test("Jinja2 and Django templates under a templates folder, whatever their language", () => {
  for (const file of [
    "/p/app/templates/page.html",
    "/p/app/templates/people/bio.html",
    "/p/templates/base.jinja2",
    "/p/web/templates/mail/welcome.j2",
    "/p/blog/templates/blog/post.djhtml",
    "C:\\p\\app\\templates\\page.htm",
  ]) {
    assert.ok(isServedFile(file, "jinja-html"), file);
    assert.ok(isServedFile(file, "html"), file);
  }
  for (const file of ["/p/site/index.html", "/p/templates.html", "/p/app/templates/readme.md"]) {
    assert.ok(!isServedFile(file, "html"), file);
  }
});

test("templates of other folders go to the server once their globs are set", () => {
  const setting = templatePatternsOf(["**/web/tpl/**/*.html", 7, "", "**/pages/*.j2"]);
  assert.deepEqual(setting, ["**/web/tpl/**/*.html", "**/pages/*.j2"]);
  assert.ok(!isServedFile("/p/web/tpl/people/bio.html", "html"), "not without the setting");
  assert.ok(isServedFile("/p/web/tpl/people/bio.html", "html", setting));
  assert.ok(isServedFile("/p/pages/card.j2", "jinja", setting));
  assert.ok(!isServedFile("/p/web/static/index.html", "html", setting));
  assert.deepEqual(templatePatternsOf("**/*.html"), [], "a single string is not a list of globs");
});

test("the template folders the server announces are read and reported", () => {
  assert.deepEqual(templateFoldersOf({ folders: ["/p/web/tpl", 3, "", "/p/pages"], patterns: [] }), [
    "/p/web/tpl",
    "/p/pages",
  ]);
  assert.deepEqual(templateFoldersOf(null), []);
  assert.deepEqual(templateFoldersOf({ folders: "/p/web/tpl" }), []);
  assert.match(templateFoldersMessage(["/p/web/tpl"]), /other template folders are analyzed too: \/p\/web\/tpl$/);
  assert.match(templateFoldersMessage([]), /named `templates` only/);
});
