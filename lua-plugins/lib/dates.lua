-- Date helpers the rules share (require "dates").
local M = {}

-- date(year, m, d) from "MM-DD", as site.yaml gives a yearly deadline
function M.deadline(year, mmdd)
  local m, d = tostring(mmdd):match("^(%d+)-(%d+)$")
  if not m then error("a deadline is written MM-DD, not '" .. tostring(mmdd) .. "'", 2) end
  return date(year, tonumber(m), tonumber(d))
end

function M.quarter_of(d) return (d.month - 1) // 3 + 1 end

function M.quarter_start(d) return date(d.year, (M.quarter_of(d) - 1) * 3 + 1, 1) end

-- "2026 年第 2 季（4 月至 6 月）"
function M.quarter_name(d)
  local q = M.quarter_of(d)
  return d.year .. " 年第 " .. q .. " 季（" .. (q * 3 - 2) .. " 月至 " .. (q * 3) .. " 月）"
end

-- "ok", or "due-soon" within window days of due
function M.soon(today, due, window)
  return days_between(today, due) <= window and "due-soon" or "ok"
end

return M
