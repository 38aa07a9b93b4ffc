-- Duty: every audit finding gets a corrective action with a due date and is
-- followed until closed.
local text = require "text"
local people = require "people"

return rule {
  id = "audit-findings",
  title = "稽核缺失之改善及追蹤",
  severity = "error",
  source = "資通安全管理法施行細則第 6 條（持續精進及績效管理機制）",
  plan = "continuous-improvement/改善",
  needs = {
    ["audit-findings"] = { "finding", "action", "due", "closed", "owner?" },
    ["staff?"] = { "name" },
  },
  params = { window_days = 30, excerpt = 20 },
  check = function(site, today, params)
    local staff = site.registers.staff
    for _, f in ipairs(site.registers["audit-findings"]) do
      local what = f._key .. "「" .. text.short(f.finding, params.excerpt) .. "」"
      local who = people.owner_note(staff, f.owner)
      local owner = f.owner and people.name(staff, f.owner) or nil
      if f.closed then
        flag { message = what .. "已於 " .. tostring(f.closed) .. " 改善結案", status = "ok", row = f, owner = owner }
      elseif not f.action then
        flag { message = what .. "尚未研議改善措施" .. who, status = "missing", row = f, owner = owner }
      elseif not f.due then
        flag { message = what .. "已有改善措施，但未訂預定完成日期，亦未結案" .. who, status = "missing", row = f, owner = owner }
      elseif today > f.due then
        flag { message = what .. "應於 " .. tostring(f.due) .. " 前改善完成，逾期未結案" .. who, status = "overdue", due = f.due, row = f, owner = owner }
      else
        flag { message = what .. "預定 " .. tostring(f.due) .. " 改善完成，尚未結案" .. who, due = f.due, row = f, owner = owner,
               status = days_between(today, f.due) <= params.window_days and "due-soon" or "ok" }
      end
    end
  end,
}
