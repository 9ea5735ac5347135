-- secreview: security review for Python in Neovim, through the secreview-ls
-- language server.
--
--   require("secreview").setup({ settings = { severity = "medium" } })
--
-- Neovim 0.11+: registered with vim.lsp.config / vim.lsp.enable.
-- Neovim 0.8-0.10: vim.lsp.start on FileType.
-- Neovim 0.7: vim.lsp.start_client + vim.lsp.buf_attach_client on FileType.
-- Files matched by name (`patterns`: .env, YAML, JSON, TOML, INI, key files...)
-- and template files matched by path (`template_patterns`: */templates/*.html, .jinja2,
-- .j2 ...) are attached on BufReadPost/BufNewFile, whatever their filetype.

local M = {}

M.name = "secreview"
M.scan_command = "secreview.scanWorkspace"

local uv = vim.loop or vim.uv

---@class secreview.Settings
---@field severity? "low"|"medium"|"high"
---@field confidence? "low"|"medium"|"high"
---@field select? string[]
---@field ignore? string[]
---@field debounce? integer
---@field scope? "all"|"changed"
---@field baseline? string

M.defaults = {
  -- Full command; when nil: { python, "-m", "secreview_ls", unpack(extra_args) }.
  cmd = nil,
  -- Interpreter for the module form; when nil: $VIRTUAL_ENV's python, else python3.
  python = nil,
  extra_args = {},
  filetypes = { "python" },
  -- File names (autocmd patterns, matched against the file's name) of the other files
  -- the server reports secrets in. Keep in step with editors/vscode/src/documents.ts.
  patterns = {
    -- dotenv
    ".env",
    ".env.*",
    "*.env",
    -- configuration formats
    "*.yaml",
    "*.yml",
    "*.json",
    "*.toml",
    "*.ini",
    "*.cfg",
    "*.conf",
    "*.properties",
    -- private keys
    "*.pem",
    "*.key",
    "id_rsa",
    "id_dsa",
    "id_ecdsa",
    "id_ed25519",
  },
  -- Jinja2 / Django template files (autocmd patterns, matched against the full path): the
  -- server shows in them the findings of the views that feed them request data. Keep in
  -- step with TEMPLATE_FILE_PATTERNS in editors/vscode/src/documents.ts.
  template_patterns = {
    "*/templates/*.html",
    "*/templates/*.htm",
    "*/templates/*.jinja",
    "*/templates/*.jinja2",
    "*/templates/*.j2",
    "*/templates/*.djhtml",
  },
  root_markers = { "pyproject.toml", "setup.cfg", "setup.py", ".git" },
  -- Sent as initializationOptions and answered for workspace/configuration
  -- (section "secreview"). Unset keys take the server's defaults.
  ---@type secreview.Settings
  settings = {},
  autostart = true,
  -- Passed through to the client.
  on_attach = nil,
  capabilities = nil,
  handlers = nil,
  -- Force a start method ("config", "start", "start_client"); nil = best available.
  method = nil,
}

M.config = vim.deepcopy(M.defaults)

-- Clients started through vim.lsp.start_client (Neovim 0.7), by root dir.
local clients_by_root = {}

-- Client methods: method-call syntax from 0.11 on, dot calls before.
local function client_call(client, method, ...)
  if vim.fn.has("nvim-0.11") == 1 then
    return client[method](client, ...)
  end
  return client[method](...)
end
M._client_call = client_call

local function is_windows()
  return vim.fn.has("win32") == 1
end

local function path_join(...)
  return table.concat({ ... }, is_windows() and "\\" or "/")
end

local function exists(path)
  return uv.fs_stat(path) ~= nil
end

local function dirname(path)
  local parent = vim.fn.fnamemodify(path, ":h")
  return parent
end

--- The python that runs the module form of the server.
function M.python()
  if M.config.python and M.config.python ~= "" then
    return vim.fn.expand(M.config.python)
  end
  local venv = vim.env.VIRTUAL_ENV
  if venv and venv ~= "" then
    local candidate = is_windows() and path_join(venv, "Scripts", "python.exe") or path_join(venv, "bin", "python")
    if vim.fn.executable(candidate) == 1 then
      return candidate
    end
  end
  return is_windows() and "python" or "python3"
end

--- The command that starts the server.
function M.cmd()
  if M.config.cmd then
    return vim.deepcopy(M.config.cmd)
  end
  local cmd = { M.python(), "-m", "secreview_ls" }
  vim.list_extend(cmd, M.config.extra_args or {})
  return cmd
end

--- The launch command without the extra arguments, plus `flag`.
local function probe_cmd(flag)
  local cmd = M.cmd()
  local extra = M.config.cmd == nil and #(M.config.extra_args or {}) or 0
  for _ = 1, extra do
    table.remove(cmd)
  end
  table.insert(cmd, flag)
  return cmd
end

--- The command that prints the server's version (only when it can start).
function M.version_cmd()
  return probe_cmd("--version")
end

--- The command that reports whether the server can start and how to fix it
--- (`problem:`, `fix:` and `run:` lines).
function M.check_cmd()
  return probe_cmd("--check")
end

--- The `problem:`, `fix:` and `run:` lines of a `--check` / `--version` report.
function M.parse_report(lines)
  local report = { problems = {}, fixes = {}, commands = {} }
  for _, line in ipairs(lines) do
    local problem = line:match("^problem: (.*)$")
    local fix = line:match("^fix: (.*)$")
    local run = line:match("^run: (.*)$")
    if problem then
      table.insert(report.problems, problem)
    elseif fix then
      table.insert(report.fixes, fix)
    elseif run then
      table.insert(report.commands, run)
    end
  end
  return report
end

--- The message for a server that exited with `code`, from its check report.
function M.exit_message(code, report)
  local message = {
    "secreview: the server exited with code " .. tostring(code) .. " (" .. table.concat(M.cmd(), " ") .. ")",
  }
  for _, problem in ipairs(report.problems) do
    table.insert(message, "problem: " .. problem)
  end
  for _, fix in ipairs(report.fixes) do
    table.insert(message, "fix: " .. fix)
  end
  for _, command in ipairs(report.commands) do
    table.insert(message, "run: " .. command)
  end
  if #report.problems == 0 then
    table.insert(message, "see :checkhealth secreview and the LSP log (vim.lsp.get_log_path())")
  end
  return table.concat(message, "\n")
end

-- A client that exits with an error: run the check and say why, with the fix
-- (instead of only "client quit with exit code 1").
local function explain_exit(code)
  if code == 0 then
    return
  end
  local lines = {}
  local function collect(_, data)
    for _, line in ipairs(data or {}) do
      if line ~= "" then
        table.insert(lines, line)
      end
    end
  end
  local cmd = M.check_cmd()
  local ok, job = pcall(vim.fn.jobstart, cmd, {
    stdout_buffered = true,
    stderr_buffered = true,
    on_stdout = collect,
    on_stderr = collect,
    on_exit = function()
      local message = M.exit_message(code, M.parse_report(lines))
      vim.schedule(function()
        vim.notify(message, vim.log.levels.ERROR)
      end)
    end,
  })
  if not ok or job <= 0 then
    vim.schedule(function()
      vim.notify(M.exit_message(code, { problems = { "could not run " .. tostring(cmd[1]) }, fixes = {}, commands = {} }),
        vim.log.levels.ERROR)
    end)
  end
end

--- The settings as the server receives them (a copy).
function M.settings()
  return vim.deepcopy(M.config.settings or {})
end

--- Nearest ancestor of the buffer's file holding one of the root markers;
--- else the file's directory; else the current directory.
function M.find_root(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr or 0)
  if name == "" or name:match("^%a[%w+.-]*://") then
    return uv.cwd()
  end
  local dir = dirname(vim.fn.fnamemodify(name, ":p"))
  local start = dir
  while true do
    for _, marker in ipairs(M.config.root_markers) do
      if exists(path_join(dir, marker)) then
        return dir
      end
    end
    local parent = dirname(dir)
    if parent == dir or parent == "" then
      return start
    end
    dir = parent
  end
end

local function client_config(root_dir)
  local settings = M.settings()
  local init_options = vim.tbl_isempty(settings) and vim.empty_dict() or settings
  return {
    name = M.name,
    cmd = M.cmd(),
    root_dir = root_dir,
    workspace_folders = root_dir and { { uri = vim.uri_from_fname(root_dir), name = root_dir } } or nil,
    init_options = init_options,
    settings = { secreview = init_options },
    on_attach = M.config.on_attach,
    on_exit = function(code)
      -- Called in a fast event: jobs can only start from the main loop.
      vim.schedule(function()
        explain_exit(code)
      end)
    end,
    capabilities = M.config.capabilities,
    handlers = vim.tbl_extend("keep", M.config.handlers or {}, {
      ["secreview/templateFolders"] = function(err, result, ctx)
        M.on_template_folders(err, result, ctx)
      end,
    }),
  }
end

-- Template suffixes of the files in the folders the server announces.
M.template_suffixes = { ".html", ".htm", ".jinja", ".jinja2", ".j2", ".djhtml" }
-- Autocmd patterns of the template files in the folders the server announced last.
M.server_template_patterns = {}

--- The server's `secreview/templateFolders` notification: the project's template folders not
--- named `templates` (`template-dirs`, `template_folder=`, `FileSystemLoader`, Django `DIRS`).
--- Their template files are attached from now on, and those already open at once.
function M.on_template_folders(_, result, _)
  if type(result) ~= "table" or type(result.folders) ~= "table" then
    return
  end
  local patterns = {}
  for _, folder in ipairs(result.folders) do
    if type(folder) == "string" and folder ~= "" then
      for _, suffix in ipairs(M.template_suffixes) do
        table.insert(patterns, (folder:gsub("\\", "/")) .. "/*" .. suffix)
      end
    end
  end
  M.server_template_patterns = patterns
  local group = vim.api.nvim_create_augroup("secreview_template_folders", { clear = true })
  if #patterns == 0 or not M.config.autostart then
    return
  end
  vim.api.nvim_create_autocmd({ "BufReadPost", "BufNewFile" }, {
    group = group,
    pattern = patterns,
    callback = function(args)
      M.attach(args.buf)
    end,
    desc = "secreview: attach the language server to the template folders it announced",
  })
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and M.in_patterns(bufnr, patterns) then
      M.attach(bufnr)
    end
  end
end

--- Whether a buffer's full path matches one of the autocmd `patterns`.
function M.in_patterns(bufnr, patterns)
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == "" then
    return false
  end
  local full = vim.fn.fnamemodify(name, ":p")
  for _, pattern in ipairs(patterns) do
    if vim.fn.match(full, vim.fn.glob2regpat(pattern)) ~= -1 then
      return true
    end
  end
  return false
end

--- Which start method this Neovim supports (or the one forced in setup).
function M.method()
  if M.config.method then
    return M.config.method
  end
  if vim.lsp.config ~= nil and vim.lsp.enable ~= nil then
    return "config"
  elseif vim.lsp.start ~= nil then
    return "start"
  end
  return "start_client"
end

local function attach_0_7(bufnr)
  local root = M.find_root(bufnr)
  local id = clients_by_root[root]
  if id ~= nil then
    local client = vim.lsp.get_client_by_id(id)
    if client == nil or client_call(client, "is_stopped") then
      id = nil
    end
  end
  if id == nil then
    id = vim.lsp.start_client(client_config(root))
    if id == nil then
      vim.notify("secreview: could not start " .. table.concat(M.cmd(), " "), vim.log.levels.ERROR)
      return nil
    end
    clients_by_root[root] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
  return id
end

--- Attach the server to a buffer (started if needed). Returns the client id.
function M.attach(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  if vim.bo[bufnr].buftype ~= "" then
    return nil
  end
  local method = M.method()
  if method == "start_client" then
    return attach_0_7(bufnr)
  elseif method == "config" and vim.tbl_contains(M.config.filetypes, vim.bo[bufnr].filetype) then
    -- vim.lsp.enable attaches buffers of these filetypes by itself.
    return nil
  end
  -- vim.lsp.start reuses the client of the same name and root.
  return vim.lsp.start(client_config(M.find_root(bufnr)), { bufnr = bufnr })
end

--- Whether a buffer's file name matches one of the `patterns`, or its path one of the
--- `template_patterns`.
function M.matches_pattern(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == "" then
    return false
  end
  local tail = vim.fn.fnamemodify(name, ":t")
  for _, pattern in ipairs(M.config.patterns or {}) do
    if vim.fn.match(tail, vim.fn.glob2regpat(pattern)) ~= -1 then
      return true
    end
  end
  return M.in_patterns(bufnr, M.config.template_patterns or {}) or M.in_patterns(bufnr, M.server_template_patterns)
end

--- Running secreview clients.
function M.clients()
  local found = {}
  local all = vim.lsp.get_clients and vim.lsp.get_clients({ name = M.name }) or vim.lsp.get_active_clients()
  for _, client in ipairs(all) do
    if client.name == M.name then
      table.insert(found, client)
    end
  end
  return found
end

--- Ask the server to scan the whole workspace.
function M.scan_workspace()
  local clients = M.clients()
  if #clients == 0 then
    vim.notify("secreview: the server is not running", vim.log.levels.WARN)
    return
  end
  for _, client in ipairs(clients) do
    client_call(client, "request", "workspace/executeCommand", { command = M.scan_command, arguments = {} }, function(err)
      if err then
        vim.notify("secreview: scan failed: " .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
      else
        vim.notify("secreview: workspace scan finished", vim.log.levels.INFO)
      end
    end)
  end
end

--- Stop the clients and attach every matching buffer again.
function M.restart()
  local buffers = {}
  for _, client in ipairs(M.clients()) do
    for bufnr in pairs(client.attached_buffers or {}) do
      buffers[bufnr] = true
    end
    client_call(client, "stop")
  end
  clients_by_root = {}
  local method = M.method()
  -- Give the old clients a moment to exit before new ones start.
  vim.defer_fn(function()
    for bufnr in pairs(buffers) do
      if vim.api.nvim_buf_is_valid(bufnr) then
        if method == "config" then
          -- vim.lsp.enable attaches new buffers; these were attached already.
          vim.lsp.start(client_config(M.find_root(bufnr)), { bufnr = bufnr })
        else
          M.attach(bufnr)
        end
      end
    end
  end, 500)
end

local function validate(opts)
  vim.validate({
    cmd = { opts.cmd, "table", true },
    python = { opts.python, "string", true },
    extra_args = { opts.extra_args, "table", true },
    filetypes = { opts.filetypes, "table", true },
    patterns = { opts.patterns, "table", true },
    template_patterns = { opts.template_patterns, "table", true },
    root_markers = { opts.root_markers, "table", true },
    settings = { opts.settings, "table", true },
    autostart = { opts.autostart, "boolean", true },
    on_attach = { opts.on_attach, "function", true },
    method = { opts.method, "string", true },
  })
end

local augroup = nil

function M.setup(opts)
  opts = opts or {}
  validate(opts)
  M.config = vim.tbl_deep_extend("force", vim.deepcopy(M.defaults), opts)
  -- Lists replace, they do not merge by index.
  for _, key in ipairs({ "cmd", "extra_args", "filetypes", "patterns", "template_patterns", "root_markers" }) do
    if opts[key] ~= nil then
      M.config[key] = vim.deepcopy(opts[key])
    end
  end
  for _, key in ipairs({ "select", "ignore" }) do
    if opts.settings and opts.settings[key] ~= nil then
      M.config.settings[key] = vim.deepcopy(opts.settings[key])
    end
  end

  vim.api.nvim_create_user_command("SecReviewScanWorkspace", M.scan_workspace, { desc = "secreview: scan the workspace" })
  vim.api.nvim_create_user_command("SecReviewRestart", M.restart, { desc = "secreview: restart the server" })

  augroup = vim.api.nvim_create_augroup("secreview", { clear = true })
  local method = M.method()
  if method == "config" then
    local config = client_config(nil)
    config.root_dir = function(bufnr, on_dir)
      on_dir(M.find_root(bufnr))
    end
    config.workspace_folders = nil
    config.name = nil
    config.filetypes = M.config.filetypes
    vim.lsp.config(M.name, config)
    if M.config.autostart then
      vim.lsp.enable(M.name)
    end
  elseif M.config.autostart then
    vim.api.nvim_create_autocmd("FileType", {
      group = augroup,
      pattern = M.config.filetypes,
      callback = function(args)
        M.attach(args.buf)
      end,
      desc = "secreview: attach the language server",
    })
  end
  if not M.config.autostart then
    return
  end
  if #(M.config.patterns or {}) > 0 then
    vim.api.nvim_create_autocmd({ "BufReadPost", "BufNewFile" }, {
      group = augroup,
      pattern = M.config.patterns,
      callback = function(args)
        M.attach(args.buf)
      end,
      desc = "secreview: attach the language server to configuration and key files",
    })
  end
  if #(M.config.template_patterns or {}) > 0 then
    vim.api.nvim_create_autocmd({ "BufReadPost", "BufNewFile" }, {
      group = augroup,
      pattern = M.config.template_patterns,
      callback = function(args)
        M.attach(args.buf)
      end,
      desc = "secreview: attach the language server to template files",
    })
  end
  -- Buffers that were already open when setup ran.
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) then
      local by_type = vim.tbl_contains(M.config.filetypes, vim.bo[bufnr].filetype)
      if (by_type and method ~= "config") or (not by_type and M.matches_pattern(bufnr)) then
        M.attach(bufnr)
      end
    end
  end
end

return M
