-- Duty: at the start of each year (by params.due, 01-31) the responsible unit
-- draws up the year's awareness and training plan, approved by the 資通安全長
-- (when the register keeps the approval date).
local dates = require "dates"
local periodic = require "periodic"

return rule {
  id = "training-plan",
  title = "年初訂定年度資通安全教育訓練計畫",
  severity = "error",
  source = "資通安全管理法施行細則第 6 條（資通安全教育訓練）",
  plan = "training/辦理方式",
  needs = { ["training-plans"] = { "year", "made", "approved?" } },
  params = { due = "01-31", window_days = 30 },
  check = function(site, today, params)
    local plans = site.registers["training-plans"]
    local plan, due = periodic.yearly {
      today = today, due = params.due, window = params.window_days, any = true,
      done = function(year) return plans:find(function(p) return p.year == year and p.made and p.made <= today end) end,
      say = {
        overdue = function(year, d) return year .. " 年度資通安全教育訓練計畫尚未訂定（應於 " .. tostring(d) .. " 前）" end,
        last_year = function(year, d) return year .. " 年度資通安全教育訓練計畫未訂定（應於 " .. tostring(d) .. " 前）" end,
        pending = function(year, d) return year .. " 年度資通安全教育訓練計畫應於 " .. tostring(d) .. " 前訂定" end,
      },
    }
    if not plan then return end
    local year = today.year
    if plan.made > due then
      flag { message = year .. " 年度教育訓練計畫於 " .. tostring(plan.made) .. " 才訂定，晚於年初（" .. tostring(due) .. "）之期限",
             status = "overdue", due = due, row = plan }
    elseif plans.fields.approved and not plan.approved then
      flag { message = year .. " 年度教育訓練計畫（" .. tostring(plan.made) .. " 訂定）尚未經核定",
             status = "missing", due = due, row = plan }
    else
      local next_due = dates.deadline(year + 1, params.due)
      flag { message = year .. " 年度教育訓練計畫已於 " .. tostring(plan.made) .. " 訂定"
               .. (plan.approved and ("、" .. tostring(plan.approved) .. " 核定") or "")
               .. "；下年度計畫應於 " .. tostring(next_due) .. " 前訂定", status = "ok", due = next_due, row = plan }
    end
  end,
}
