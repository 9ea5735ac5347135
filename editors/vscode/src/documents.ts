// Which documents the extension hands to the server. No "vscode" import.
//
// Python files get every rule. The server also judges other text files with its
// secret rules (keys and tokens of known formats, passwords and tokens assigned in
// configuration, credentials in URLs, private keys): the file names below are the
// ones where those rules find something, matched by name because VS Code has no
// language for several of them (TOML, key files) without other extensions.
// editors/nvim/lua/secreview/init.lua attaches Neovim to the same list (a test
// compares the two).
//
// Jinja2 and Django templates (a template suffix under a `templates` folder, whatever
// language an extension gives them: html, jinja-html, django-html...) go to the server
// too: it shows there the findings of the views that feed them request data.

/** File-name globs (matched against the file's base name) of the non-Python files
 *  the server reports secrets in. */
export const SECRET_FILE_NAMES: readonly string[] = [
  // dotenv
  ".env",
  ".env.*",
  "*.env",
  // configuration formats
  "*.yaml",
  "*.yml",
  "*.json",
  "*.toml",
  "*.ini",
  "*.cfg",
  "*.conf",
  "*.properties",
  // private keys
  "*.pem",
  "*.key",
  "id_rsa",
  "id_dsa",
  "id_ecdsa",
  "id_ed25519",
];

/** Path globs of the template files the server reads: the server takes a file with one
 *  of these suffixes under a folder named `templates` as a template. */
export const TEMPLATE_FILE_PATTERNS: readonly string[] = [
  "**/templates/**/*.html",
  "**/templates/**/*.htm",
  "**/templates/**/*.jinja",
  "**/templates/**/*.jinja2",
  "**/templates/**/*.j2",
  "**/templates/**/*.djhtml",
];

export interface DocumentFilter {
  scheme: string;
  language?: string;
  pattern?: string;
}

/** The language client's document selector: Python by language (saved or untitled),
 *  the secret-bearing files by name and the template files by path (saved files only: the
 *  name is what identifies them). ``templatePatterns`` adds globs of template files kept in
 *  folders with other names (the project's `template-dirs`, a `template_folder=`). */
export function documentSelector(templatePatterns: readonly string[] = []): DocumentFilter[] {
  return [
    { scheme: "file", language: "python" },
    { scheme: "untitled", language: "python" },
    ...SECRET_FILE_NAMES.map((name) => ({ scheme: "file", pattern: `**/${name}` })),
    ...[...TEMPLATE_FILE_PATTERNS, ...templatePatterns].map((pattern) => ({ scheme: "file", pattern })),
  ];
}

/** The `secreview.templateFilePatterns` setting's globs (anything else in it is left out). */
export function templatePatternsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((p): p is string => typeof p === "string" && p.trim() !== "") : [];
}

/** A glob of the forms used above (`**`, `*`, `?` and literal text) as a regular
 *  expression over a path with `/` separators, as VS Code matches it. */
export function globToRegExp(glob: string): RegExp {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*" && glob[i + 1] === "*" && glob[i + 2] === "/") {
      out += "(?:.*/)?";
      i += 2;
    } else if (c === "*") {
      out += "[^/]*";
    } else if (c === "?") {
      out += "[^/]";
    } else {
      out += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
    }
  }
  return new RegExp(`^${out}$`);
}

/** Whether a saved file with this path (any separators) goes to the server. */
export function isServedFile(filePath: string, languageId: string, templatePatterns: readonly string[] = []): boolean {
  if (languageId === "python") {
    return true;
  }
  const normal = filePath.replace(/\\/g, "/");
  return documentSelector(templatePatterns).some((f) => f.pattern !== undefined && globToRegExp(f.pattern).test(normal));
}

/** The server's `secreview/templateFolders` notification: the project's template folders
 *  that are not named `templates` (absolute paths; anything else in it is left out). The
 *  server also registers their template files for document synchronization, which the
 *  language client honours by itself: the extension only reports them. */
export const TEMPLATE_FOLDERS_NOTIFICATION = "secreview/templateFolders";

export function templateFoldersOf(params: unknown): string[] {
  if (typeof params !== "object" || params === null) {
    return [];
  }
  const folders = (params as { folders?: unknown }).folders;
  return Array.isArray(folders) ? folders.filter((f): f is string => typeof f === "string" && f !== "") : [];
}

/** The output channel's line for the folders the server announced. */
export function templateFoldersMessage(folders: readonly string[]): string {
  return folders.length > 0
    ? `Template files of the project's other template folders are analyzed too: ${folders.join(", ")}`
    : "The project keeps its templates in folders named `templates` only.";
}
