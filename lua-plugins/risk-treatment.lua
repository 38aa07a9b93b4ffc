-- Duty: a risk above the acceptable level (a score above params.acceptable_max,
-- or marked not acceptable) gets a treatment with a due date, followed until
-- closed.
local text = require "text"
local people = require "people"

return rule {
  id = "risk-treatment",
  title = "風險處理計畫之執行及追蹤",
  severity = "error",
  source = "資通安全管理法施行細則第 6 條（資通安全風險評估）",
  plan = "risk-assessment",
  needs = {
    risks = { "score", "due", "closed", "asset?", "threat?", "acceptable?", "owner?" },
    ["assets?"] = { "name" },
    ["staff?"] = { "name" },
  },
  params = { acceptable_max = 4, window_days = 30 },
  check = function(site, today, params)
    local max = params.acceptable_max
    local assets, staff = site.registers.assets, site.registers.staff
    for _, r in ipairs(site.registers.risks) do
      local asset = r.asset and assets:get(r.asset)
      local what = r._key .. "（" .. tostring(asset and asset.name or r.asset or "") .. (r.threat and ("「" .. text.short(r.threat, 16) .. "」") or "")
        .. "，風險值 " .. tostring(r.score) .. "）"
      local who = people.owner_note(staff, r.owner)
      local owner = r.owner and people.name(staff, r.owner) or nil
      local above = (r.score and r.score > max) or r.acceptable == false
      if r.acceptable == true and r.score and r.score > max then
        flag { message = what .. "高於可接受風險值 " .. max .. "，卻標示為可接受", status = "missing", severity = "warning", row = r, owner = owner }
      end
      if above then
        if r.closed then
          flag { message = what .. "之風險處理已於 " .. tostring(r.closed) .. " 結案", status = "ok", row = r, owner = owner }
        elseif not r.due then
          flag { message = what .. "未訂定風險處理之預定完成日期" .. who, status = "missing", row = r, owner = owner }
        elseif today > r.due then
          flag { message = what .. "之風險處理應於 " .. tostring(r.due) .. " 前完成，逾期未結案" .. who,
                 status = "overdue", due = r.due, row = r, owner = owner }
        else
          flag { message = what .. "之風險處理預定 " .. tostring(r.due) .. " 完成，尚未結案" .. who, due = r.due, row = r, owner = owner,
                 status = days_between(today, r.due) <= params.window_days and "due-soon" or "ok" }
        end
      end
    end
  end,
}
