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
    report.error("server program not found: " .. tostring(program), {
      "install secreview-ls into a Python 3.11+ environment, from a checkout (pip install -e PATH/TO/secreview)"
        .. " or a built wheel (pip install secreview_ls-X.Y.Z-py3-none-any.whl)",
      'then point the plugin at it: require("secreview").setup({ python = "/path/to/venv/bin/python" })'
        .. ' (or cmd = { "secreview-ls" } when it is on PATH)',
    })
    return
  end
  report.ok("server program: " .. vim.fn.exepath(program))
  report.info("server command: " .. table.concat(cmd, " "))

  -- --check imports everything the server needs and says what is missing, with the fix.
  local check_cmd = secreview.check_cmd()
  local status, output = run(check_cmd, 30000)
  if status == 2 and table.concat(output, "\n"):find("unrecognized arguments: --check", 1, true) then
    -- A server older than --check: its --version at least proves it starts.
    check_cmd = secreview.version_cmd()
    status, output = run(check_cmd, 30000)
  end
  local text = table.concat(output, "\n")
  local found = text:match("secreview%-ls%s+(%d+%.%d+%.%d+%S*)")
  local parsed = secreview.parse_report(output)
  if status == nil then
    report.error(table.concat(check_cmd, " ") .. " did not answer within 30 s")
  elseif status == 0 and found then
    report.ok("secreview-ls " .. found .. " can start")
    for _, line in ipairs(output) do
      if line:match("^python: ") or line:match("^package: ") or line:match("^ok: ") then
        report.info(line)
      end
    end
  elseif #parsed.problems > 0 then
    local advice = {}
    for _, fix in ipairs(parsed.fixes) do
      table.insert(advice, fix)
    end
    for _, command in ipairs(parsed.commands) do
      table.insert(advice, "run: " .. command)
    end
    for _, line in ipairs(output) do
      if line:match("^python: ") then
        report.info(line)
      end
    end
    -- Each problem, then the fix (once, after the last one).
    for i, problem in ipairs(parsed.problems) do
      if i < #parsed.problems then
        report.error(problem)
      else
        report.error(problem, advice)
      end
    end
  else
    report.error(table.concat(check_cmd, " ") .. " failed (exit " .. tostring(status) .. "): " .. text, {
      "install secreview-ls (from a checkout or a built wheel) into the interpreter this command runs",
    })
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
