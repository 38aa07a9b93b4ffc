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

-- "陳素梅" for a staff key, or the key itself when the register has no such row
function M.name(staff, key)
  local p = key and staff:get(key)
  return p and p.name or key
end

-- "（負責人 陳素梅）" for a row's owner key, or ""
function M.owner_note(staff, key)
  local p = key and staff:get(key)
  return p and ("（負責人 " .. p.name .. "）") or ""
end

return M
