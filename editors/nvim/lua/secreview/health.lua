-- :checkhealth secreview

local M = {}

-- vim.health.start/ok/... from 0.10, vim.health.report_* in 0.8-0.9,
-- require("health").report_* in 0.7.
local function reporter()
  local h = vim.health
  if h ~= nil and h.start ~= nil then
    return { start = h.start, ok = h.ok, warn = h.warn, error = h.error, info = h.info }
  end
  if h == nil or h.report_start == nil then
    h = require("health")
  end
  return {
    start = h.report_start,
    ok = h.report_ok,
    warn = h.report_warn,
    error = h.report_error,
    info = h.report_info,
  }
end

--- Runs cmd; returns exit code (nil on timeout) and output.
local function run(cmd, timeout_ms)
  local lines = {}
  local function collect(_, data)
    for _, line in ipairs(data or {}) do
      if line ~= "" then
        table.insert(lines, line)
      end
    end
  end
  local ok, job = pcall(vim.fn.jobstart, cmd, {
    stdout_buffered = true,
    stderr_buffered = true,
    on_stdout = collect,
    on_stderr = collect,
  })
  if not ok or job <= 0 then
    return -1, { ok and "could not start" or tostring(job) }
  end
  pcall(vim.fn.chanclose, job, "stdin")
  local status = vim.fn.jobwait({ job }, timeout_ms)[1]
  if status == -1 then
    vim.fn.jobstop(job)
    return nil, lines
  end
  -- Buffered output arrives after exit; let the callbacks run.
  vim.wait(200, function()
    return #lines > 0
  end, 10)
  return status, lines
end

function M.check()
  local report = reporter()
  local secreview = require("secreview")
  report.start("secreview")

  local v = vim.version()
  local version = string.format("%d.%d.%d", v.major, v.minor, v.patch)
  if vim.fn.has("nvim-0.7") == 0 then
    report.error("Neovim " .. version .. " is too old: 0.7 or newer is needed")
  else
    local how = ({
      config = "vim.lsp.config + vim.lsp.enable",
      start = "vim.lsp.start on FileType",
      start_client = "vim.lsp.start_client + vim.lsp.buf_attach_client on FileType",
    })[secreview.method()] or secreview.method()
    report.ok("Neovim " .. version .. ": the server is started with " .. how)
  end

  local cmd = secreview.cmd()
  local program = cmd[1]
  if program == nil or vim.fn.executable(program) == 0 then
    report.error(
      "server program not found: " .. tostring(program),
      { "pip install secreview-ls", 'or set `python` or `cmd` in require("secreview").setup({...})' }
    )
    return
  end
  report.ok("server program: " .. vim.fn.exepath(program))
  report.info("server command: " .. table.concat(cmd, " "))

  local version_cmd = secreview.version_cmd()
  local status, output = run(version_cmd, 20000)
  local text = table.concat(output, "\n")
  local found = text:match("secreview%-ls%s+(%d+%.%d+%.%d+%S*)")
  if status == nil then
    report.error(table.concat(version_cmd, " ") .. " did not answer within 20 s")
  elseif status == 0 and found then
    report.ok("secreview-ls " .. found)
  else
    report.error(
      table.concat(version_cmd, " ") .. " failed (exit " .. tostring(status) .. "): " .. text,
      { "install the server where this command looks for it: pip install secreview-ls" }
    )
  end

  local settings = secreview.settings()
  report.info("settings (initializationOptions, workspace/configuration 'secreview'): " .. vim.inspect(settings))

  local clients = secreview.clients()
  if #clients == 0 then
    report.info("no secreview client is running (open a Python file to start one)")
  else
    for _, client in ipairs(clients) do
      report.ok(string.format("client %d running, root %s", client.id, tostring(client.config.root_dir)))
    end
  end
end

return M
