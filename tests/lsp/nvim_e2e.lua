-- End-to-end check with a real editor: Neovim's built-in LSP client (0.7+) drives `asl-studio lsp`.
-- Run by app/tests/cli_lsp.rs: nvim --headless -u tests/lsp/nvim_e2e.lua, with ASL_STUDIO_BIN (the
-- binary) and ASL_STUDIO_FILE (a copy of corpus invalid-inexistant-state.asl.json). Exits non-zero
-- with "E2E FAIL: why" on the first failed expectation; prints "E2E OK" when all hold.
local bin = os.getenv('ASL_STUDIO_BIN')
local file = os.getenv('ASL_STUDIO_FILE')

local function fail(message)
  io.stderr:write('E2E FAIL: ' .. message .. '\n')
  vim.cmd('cquit 1')
end

local function run()
  if not bin or not file then
    return fail('ASL_STUDIO_BIN and ASL_STUDIO_FILE must be set')
  end
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  local client_id = vim.lsp.start_client({
    name = 'asl-studio',
    cmd = { bin, 'lsp' },
    root_dir = vim.fn.fnamemodify(file, ':h'),
  })
  if not client_id then
    return fail('the client did not start')
  end
  vim.lsp.buf_attach_client(buf, client_id)

  -- 1. Diagnostics arrive: `"Next": "Finished"` names no state (line 6, 0-based 5).
  if not vim.wait(20000, function() return #vim.diagnostic.get(buf) > 0 end, 50) then
    return fail('no diagnostics within 20 s')
  end
  local diagnostic
  for _, candidate in ipairs(vim.diagnostic.get(buf)) do
    local code = candidate.code
      or (candidate.user_data and candidate.user_data.lsp and candidate.user_data.lsp.code)
    if code == 'MISSING_TRANSITION_TARGET' then
      diagnostic = candidate
    end
  end
  if not diagnostic or diagnostic.lnum ~= 5 then
    return fail('no MISSING_TRANSITION_TARGET on line 6: ' .. vim.inspect(vim.diagnostic.get(buf)))
  end
  if diagnostic.severity ~= vim.diagnostic.severity.ERROR then
    return fail('the diagnostic is not an error: ' .. vim.inspect(diagnostic))
  end

  -- 2. Go to definition from `"StartAt": "Start State"` (line 2) to the state's key (line 4).
  vim.api.nvim_win_set_cursor(0, { 2, 15 })
  vim.lsp.buf.definition()
  if not vim.wait(10000, function() return vim.api.nvim_win_get_cursor(0)[1] == 4 end, 50) then
    return fail('definition did not jump to line 4; cursor at ' .. vim.inspect(vim.api.nvim_win_get_cursor(0)))
  end
  local column = vim.api.nvim_win_get_cursor(0)[2]
  if column ~= 4 then
    return fail('definition jumped to column ' .. column .. ', not 4 (the key\'s quote)')
  end

  -- 3. Rename the state at the cursor: the key and StartAt change in one edit.
  vim.lsp.buf.rename('Begin')
  local renamed = function()
    local lines = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n')
    return lines:find('"Begin": {', 1, true) and lines:find('"StartAt": "Begin"', 1, true)
  end
  if not vim.wait(10000, renamed, 50) then
    return fail('rename did not apply: ' .. table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n'))
  end
  vim.cmd('write')
  io.stdout:write('E2E OK\n')
  vim.lsp.stop_client(client_id)
  vim.cmd('qall!')
end

local ok, error = pcall(run)
if not ok then
  fail(tostring(error))
end
