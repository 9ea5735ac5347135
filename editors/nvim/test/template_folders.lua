-- Driver run by tests/test_nvim_template_folders.py as
--   nvim --headless --clean -c "luafile editors/nvim/test/template_folders.lua"
-- Opens a view against the real server, waits for the server's secreview/templateFolders
-- notification, then opens a template of a folder that is not named `templates`: the plugin
-- attaches it and the server's finding shows in it. Writes what it saw as JSON to
-- $SECREVIEW_E2E_OUT and quits; every wait is bounded.

local env = vim.env
local out_path = assert(env.SECREVIEW_E2E_OUT, "SECREVIEW_E2E_OUT is not set")
local plugin_dir = assert(env.SECREVIEW_E2E_PLUGIN, "SECREVIEW_E2E_PLUGIN is not set")
local root = assert(env.SECREVIEW_E2E_ROOT, "SECREVIEW_E2E_ROOT is not set")
local python = assert(env.SECREVIEW_E2E_PYTHON, "SECREVIEW_E2E_PYTHON is not set")
local wait_ms = tonumber(env.SECREVIEW_E2E_WAIT_MS or "30000")

local result = { errors = {}, patterns = {}, codes = {}, attached = false }

local function finish()
  local f = assert(io.open(out_path, "w"))
  f:write(vim.json.encode(result))
  f:close()
  vim.cmd("qall!")
end

vim.defer_fn(function()
  table.insert(result.errors, "watchdog")
  finish()
end, wait_ms * 3)

local function attached(bufnr)
  local all = vim.lsp.get_active_clients and vim.lsp.get_active_clients() or vim.lsp.get_clients()
  for _, client in ipairs(all) do
    if client.name == "secreview" and (client.attached_buffers or {})[bufnr] then
      return true
    end
  end
  return false
end

local function run()
  vim.opt.runtimepath:prepend(plugin_dir)
  local secreview = require("secreview")
  secreview.setup({ cmd = { python, "-m", "secreview_ls" } })
  vim.cmd("edit " .. vim.fn.fnameescape(root .. "/web/views.py"))
  if not vim.wait(wait_ms, function()
    return #secreview.server_template_patterns > 0
  end, 50) then
    table.insert(result.errors, "no template folders from the server")
    return
  end
  result.patterns = secreview.server_template_patterns
  vim.cmd("edit " .. vim.fn.fnameescape(root .. "/web/pages/card.html"))
  local bufnr = vim.api.nvim_get_current_buf()
  result.attached = vim.wait(wait_ms, function()
    return attached(bufnr)
  end, 50)
  vim.wait(wait_ms, function()
    return #vim.diagnostic.get(bufnr) > 0
  end, 50)
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(result.codes, d.code)
  end
end

local ok, err = pcall(run)
if not ok then
  table.insert(result.errors, tostring(err))
end
finish()
