-- End-to-end driver: run by tests/test_nvim_e2e.py as
--   nvim --headless --clean -c "luafile editors/nvim/test/e2e.lua"
-- It loads the plugin, opens real files against the real server, records what
-- Neovim received (diagnostics, hover, code actions, the buffer after a quick
-- fix) and writes it as JSON to $SECREVIEW_E2E_OUT, then quits. Every wait is
-- bounded; a watchdog writes what it has and quits if anything hangs.

local env = vim.env
local out_path = assert(env.SECREVIEW_E2E_OUT, "SECREVIEW_E2E_OUT is not set")
local plugin_dir = assert(env.SECREVIEW_E2E_PLUGIN, "SECREVIEW_E2E_PLUGIN is not set")
local root = assert(env.SECREVIEW_E2E_ROOT, "SECREVIEW_E2E_ROOT is not set")
local python = assert(env.SECREVIEW_E2E_PYTHON, "SECREVIEW_E2E_PYTHON is not set")
local wait_ms = tonumber(env.SECREVIEW_E2E_WAIT_MS or "20000")
local watchdog_ms = tonumber(env.SECREVIEW_E2E_WATCHDOG_MS or "90000")
local settings = vim.json.decode(env.SECREVIEW_E2E_SETTINGS or "{}")
-- File names (e.g. "shell.py") for which no finding is expected.
local expect_empty = {}
for name in string.gmatch(env.SECREVIEW_E2E_EXPECT_EMPTY or "", "[^,]+") do
  expect_empty[name] = true
end
local method = env.SECREVIEW_E2E_METHOD
if method == "" then
  method = nil
end
-- "broken": the server's interpreter lacks its dependencies (python -S); records what
-- the user is told (notifications, :checkhealth) instead of the usual run.
local scenario = env.SECREVIEW_E2E_SCENARIO or ""

local v = vim.version()
local result = {
  nvim_version = string.format("%d.%d.%d", v.major, v.minor, v.patch),
  steps = {},
  errors = {},
  published = {},
  files = {},
}

local finished = false
local function finish()
  if finished then
    return
  end
  finished = true
  local ok, encoded = pcall(vim.json.encode, result)
  if not ok then
    encoded = vim.json.encode({ errors = { "could not encode the result: " .. tostring(encoded) } })
  end
  local f = assert(io.open(out_path, "w"))
  f:write(encoded)
  f:close()
  vim.cmd("qall!")
end

local function step(name)
  table.insert(result.steps, name)
end

local function fail(message)
  table.insert(result.errors, message)
end

vim.defer_fn(function()
  fail("watchdog: gave up after " .. watchdog_ms .. " ms at step " .. tostring(result.steps[#result.steps]))
  finish()
end, watchdog_ms)

-- Record raw LSP diagnostics as the server sent them (push and pull).
local raw = {}
local orig_publish = vim.lsp.handlers["textDocument/publishDiagnostics"]
vim.lsp.handlers["textDocument/publishDiagnostics"] = function(err, params, ctx, config)
  if params then
    raw[params.uri] = params.diagnostics
    table.insert(result.published, { uri = params.uri, version = params.version, count = #params.diagnostics })
  end
  return orig_publish(err, params, ctx, config)
end
local orig_pull = vim.lsp.handlers["textDocument/diagnostic"]
if orig_pull then
  vim.lsp.handlers["textDocument/diagnostic"] = function(err, report, ctx, config)
    if report and report.kind == "full" and ctx and ctx.params and ctx.params.textDocument then
      raw[ctx.params.textDocument.uri] = report.items
    end
    return orig_pull(err, report, ctx, config)
  end
end

local function lsp_diagnostics(bufnr)
  local uri = vim.uri_from_bufnr(bufnr)
  if raw[uri] ~= nil then
    return raw[uri]
  end
  -- Fallback: rebuild them from vim.diagnostic (user_data.lsp holds the rest).
  local list = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local lsp = (d.user_data and d.user_data.lsp) or {}
    local item = vim.tbl_extend("keep", lsp, {
      range = {
        start = { line = d.lnum, character = d.col },
        ["end"] = { line = d.end_lnum, character = d.end_col },
      },
      message = d.message,
      source = d.source,
      code = d.code,
    })
    table.insert(list, item)
  end
  return list
end

local function secreview_client(bufnr)
  local clients = vim.lsp.get_clients and vim.lsp.get_clients({ bufnr = bufnr })
    or vim.lsp.buf_get_clients(bufnr)
  for _, client in pairs(clients) do
    if client.name == "secreview" then
      return client
    end
  end
  return nil
end

local function request(bufnr, method_name, params)
  local responses, err = vim.lsp.buf_request_sync(bufnr, method_name, params, wait_ms)
  if err then
    return nil, tostring(err)
  end
  for _, response in pairs(responses or {}) do
    if response.error then
      return nil, vim.inspect(response.error)
    end
    return response.result, nil
  end
  return nil, "no response"
end

local function open(path)
  vim.cmd("edit " .. vim.fn.fnameescape(path))
  local bufnr = vim.api.nvim_get_current_buf()
  local info = { path = path, filetype = vim.bo[bufnr].filetype }
  result.files[vim.fn.fnamemodify(path, ":t")] = info

  local attached = vim.wait(wait_ms, function()
    return secreview_client(bufnr) ~= nil
  end, 50)
  if not attached then
    fail(path .. ": no secreview client attached within " .. wait_ms .. " ms")
    return bufnr, info
  end
  local client = secreview_client(bufnr)
  info.root_dir = client.config.root_dir
  info.offset_encoding = client.offset_encoding

  local name = vim.fn.fnamemodify(path, ":t")
  if expect_empty[name] then
    -- An empty report is the answer; wait for it (or a short while).
    vim.wait(3000, function()
      return raw[vim.uri_from_bufnr(bufnr)] ~= nil
    end, 50)
  else
    local got = vim.wait(wait_ms, function()
      return #lsp_diagnostics(bufnr) > 0
    end, 50)
    if not got then
      fail(path .. ": no diagnostics within " .. wait_ms .. " ms")
    end
  end
  info.diagnostics = lsp_diagnostics(bufnr)
  info.vim_diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(info.vim_diagnostics, {
      lnum = d.lnum,
      col = d.col,
      severity = d.severity,
      source = d.source,
      code = d.code,
      message = d.message,
    })
  end
  return bufnr, info
end

local function code_actions(bufnr, diagnostic)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = diagnostic.range,
    context = { diagnostics = { diagnostic }, triggerKind = 1 },
  }
  local actions, err = request(bufnr, "textDocument/codeAction", params)
  if err then
    fail("codeAction: " .. err)
  end
  return actions or {}
end

local function hover(bufnr, diagnostic)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = diagnostic.range.start,
  }
  local response, err = request(bufnr, "textDocument/hover", params)
  if err then
    fail("hover: " .. err)
    return nil
  end
  if response == nil or response == vim.NIL then
    return nil
  end
  local contents = response.contents
  if type(contents) == "table" and contents.kind then
    return { kind = contents.kind, value = contents.value }
  end
  return { kind = "other", value = vim.inspect(contents) }
end

local function run()
  vim.opt.runtimepath:prepend(plugin_dir)
  local secreview = require("secreview")
  secreview.setup({
    cmd = { python, "-m", "secreview_ls" },
    settings = settings,
    method = method,
  })
  result.method = secreview.method()
  step("setup")

  -- 1. yaml.load: diagnostics, hover, code actions, apply the quick fix.
  local yaml_path = root .. "/app/loader.py"
  local bufnr, info = open(yaml_path)
  step("opened loader.py")
  if info.root_dir == nil then
    return -- no server: the error is recorded, nothing else can work
  end
  local target
  for _, d in ipairs(info.diagnostics or {}) do
    if d.range.start.line == 1 then
      target = d
    end
  end
  if target == nil then
    fail("loader.py: no diagnostic on line 2")
  else
    info.hover = hover(bufnr, target)
    step("hover")
    local actions = code_actions(bufnr, target)
    info.code_actions = {}
    local fix
    for _, action in ipairs(actions) do
      table.insert(info.code_actions, {
        title = action.title,
        kind = action.kind,
        has_edit = action.edit ~= nil,
        has_command = action.command ~= nil,
        is_preferred = action.isPreferred,
      })
      if fix == nil and action.edit ~= nil and action.title:find("safe_load", 1, true) then
        fix = action
      end
    end
    step("code actions")
    if fix == nil then
      fail("loader.py: no code action with an edit mentioning safe_load")
    else
      info.applied = fix.title
      vim.lsp.util.apply_workspace_edit(fix.edit, "utf-16")
      info.text_after_fix = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), "\n")
      step("applied fix")
      -- The server re-analyses the changed buffer: the finding should go.
      local before = #info.diagnostics
      vim.wait(wait_ms, function()
        return #lsp_diagnostics(bufnr) < before
      end, 50)
      info.diagnostics_after_fix = lsp_diagnostics(bufnr)
      step("diagnostics after fix")
    end
  end

  -- 2. subprocess with shell=True: diagnostics and their code actions.
  local shell_path = root .. "/app/shell.py"
  local shell_buf, shell_info = open(shell_path)
  step("opened shell.py")
  shell_info.code_actions = {}
  for _, d in ipairs(shell_info.diagnostics or {}) do
    for _, action in ipairs(code_actions(shell_buf, d)) do
      table.insert(shell_info.code_actions, { title = action.title, kind = action.kind, has_edit = action.edit ~= nil })
    end
  end
  step("shell code actions")

  -- 3. The workspace scan command.
  local scan, scan_err = request(shell_buf, "workspace/executeCommand", {
    command = secreview.scan_command,
    arguments = {},
  })
  result.scan = { error = scan_err, result = scan }
  step("scan")

  -- 4. A file with no defect gets no finding.
  expect_empty["clean.py"] = true
  local clean_buf, clean_info = open(root .. "/app/clean.py")
  clean_info.attached = secreview_client(clean_buf) ~= nil
  step("clean file")

  -- 5. Configuration and key files are attached by name and get the secret rules.
  for _, rel in ipairs({ ".env", "config/settings.yaml" }) do
    local _, other = open(root .. "/" .. rel)
    other.attached = other.root_dir ~= nil
  end
  step("config files")

  -- 6. The plugin's health check runs without error.
  local ok, err = pcall(vim.cmd, "checkhealth secreview")
  result.health = { ok = ok, error = (not ok) and tostring(err) or nil }
  if ok then
    result.health.text = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), "\n")
  end
  step("checkhealth")
end

local function run_broken()
  vim.opt.runtimepath:prepend(plugin_dir)
  local secreview = require("secreview")
  result.notifications = {}
  local notify = vim.notify
  vim.notify = function(message, level, opts)
    table.insert(result.notifications, { message = message, level = level })
    return notify(message, level, opts)
  end
  secreview.setup({ cmd = { python, "-S", "-m", "secreview_ls" }, settings = settings, method = method })
  step("setup")
  vim.cmd("edit " .. vim.fn.fnameescape(root .. "/app/loader.py"))
  local told = vim.wait(wait_ms, function()
    for _, n in ipairs(result.notifications) do
      if tostring(n.message):find("secreview: the server exited", 1, true) then
        return true
      end
    end
    return false
  end, 50)
  if not told then
    fail("no notification about the server's exit within " .. wait_ms .. " ms")
  end
  step("notified")
  local ok, err = pcall(vim.cmd, "checkhealth secreview")
  result.health = { ok = ok, error = (not ok) and tostring(err) or nil }
  if ok then
    result.health.text = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), "\n")
  end
  step("checkhealth")
end

local ok, err = xpcall(scenario == "broken" and run_broken or run, debug.traceback)
if not ok then
  fail("driver error: " .. tostring(err))
end
-- Stop the clients, so the server gets shutdown/exit; bounded.
for _, client in ipairs(require("secreview").clients()) do
  pcall(require("secreview")._client_call, client, "stop")
end
vim.wait(2000, function()
  return #require("secreview").clients() == 0
end, 50)
finish()
