-- Staff helpers the rules share (require "people"). They read the staff
-- register's name, categories and left, which a rule using them declares.
local M = {}

-- in office on day: not left on or before it
function M.active(person, day)
  return not (person.left and person.left <= day)
end

function M.has_role(person, role)
  for _, c in ipairs(person.categories or {}) do
    if c == role then return true end
  end
  return false
end

-- the staff row a text names: by its key, else by its name (fields that say
-- who did something hold either)
function M.find(staff, text)
  if not text then return nil end
  return staff:get(text) or staff:find(function(p) return p.name == text end)
end

-- "陳素梅" for a staff key or name, or the text itself when no row matches
function M.name(staff, text)
  local p = M.find(staff, text)
  return p and p.name or text
end

-- "（負責人 陳素梅）" for a row's owner, or ""
function M.owner_note(staff, text)
  if not text then return "" end
  return "（負責人 " .. M.name(staff, text) .. "）"
end

return M
