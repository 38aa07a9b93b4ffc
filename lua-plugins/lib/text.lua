-- Text helpers the rules share (require "text").
local M = {}

-- the text up to its first "，" "。" "；" or "（" when that is at most n
-- characters, else cut at n with "…"
function M.short(text, n)
  text = text or ""
  for _, mark in ipairs({ "，", "。", "；", "（" }) do
    local p = text:find(mark, 1, true)
    if p and utf8.len(text:sub(1, p - 1)) <= n then text = text:sub(1, p - 1) end
  end
  if utf8.len(text) <= n then return text end
  return text:sub(1, utf8.offset(text, n + 1) - 1) .. "…"
end

-- "參、一、" + title, "玖、三、(四)" + " " + title
function M.label(number, title)
  return number .. (number:sub(-3) == "、" and "" or " ") .. title
end

-- a row's name for messages: its key, and name when given ("HW-007 機房 UPS")
function M.row_name(row, name)
  if name and name ~= "" then return row._key .. " " .. name end
  return row._key
end

return M
