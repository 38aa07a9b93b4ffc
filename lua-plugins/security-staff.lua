-- Duty: a level-D organisation names at least params.min (1) person in the role
-- params.category (資通安全兼辦人員), and the roster records his or her duties
-- (when the staff register keeps a duties field).
local people = require "people"

return rule {
  id = "security-staff",
  title = "設置資通安全兼辦人員",
  severity = "error",
  source = "資通安全責任等級分級辦法（D 級應辦事項：資通安全專職（兼辦）人員）",
  plan = "staffing/人力",
  needs = { staff = { "name", "categories", "left", "title?", "duties?" } },
  params = { category = "資通安全兼辦人員", min = 1 },
  check = function(site, today, params)
    local role = params.category
    local staff = site.registers.staff
    local named = 0
    for _, p in ipairs(staff) do
      if people.has_role(p, role) and people.active(p, today) then
        named = named + 1
        if p.duties or not staff.fields.duties then
          flag { message = role .. "：" .. p.name .. "（" .. p._key .. (p.title and ("，" .. p.title) or "") .. "）"
                   .. (p.duties and "，職掌已列冊" or ""), status = "ok", row = p }
        else
          flag { message = role .. " " .. p.name .. "（" .. p._key .. "）之職掌未列冊", status = "missing", row = p }
        end
      end
    end
    if named < params.min then
      flag { message = "人員名冊僅列 " .. named .. " 名在職之" .. role .. "，至少應設置 " .. params.min .. " 人",
             status = "missing" }
    end
  end,
}
