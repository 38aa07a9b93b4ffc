-- Duty: at the start of each year the responsible unit draws up the year's
-- awareness and training plan (附件 年度資通安全教育訓練計畫), approved by the
-- 資通安全長 (計畫 壹拾參、二、1). "Start of the year" is params.due (01-31).
local function deadline(year, mmdd)
  local m, d = mmdd:match("^(%d+)-(%d+)$")
  return date(year, tonumber(m), tonumber(d))
end

return rule {
  id = "training-plan",
  title = "年初訂定年度資通安全教育訓練計畫",
  severity = "error",
  source = "計畫 壹拾參、二、1",
  check = function(site, today, params)
    local mmdd = params.due or "01-31"
    local window = params.window_days or 30
    local section = params.section or "training/資通安全教育訓練辦理方式"
    local plans = site.registers["training-plans"]
    local function plan_of(year)
      return plans:find(function(p) return p.year == year and p.made and p.made <= today end)
    end

    local year = today.year
    local due = deadline(year, mmdd)
    local plan = plan_of(year)
    if plan then
      if plan.made > due then
        flag { message = year .. " 年度教育訓練計畫於 " .. tostring(plan.made) .. " 才訂定，晚於年初（" .. tostring(due) .. "）之期限",
               status = "overdue", due = due, row = plan }
      elseif not plan.approved then
        flag { message = year .. " 年度教育訓練計畫（" .. tostring(plan.made) .. " 訂定）尚未經核定",
               status = "missing", due = due, row = plan }
      else
        local next_due = deadline(year + 1, mmdd)
        flag { message = year .. " 年度教育訓練計畫已於 " .. tostring(plan.made) .. " 訂定、" .. tostring(plan.approved)
                 .. " 核定；下年度計畫應於 " .. tostring(next_due) .. " 前訂定", status = "ok", due = next_due, row = plan }
      end
    elseif today > due then
      flag { message = year .. " 年度資通安全教育訓練計畫尚未訂定（應於 " .. tostring(due) .. " 前）",
             status = "overdue", due = due, section = section }
    else
      flag { message = year .. " 年度資通安全教育訓練計畫應於 " .. tostring(due) .. " 前訂定", due = due, section = section,
             status = days_between(today, due) <= window and "due-soon" or "ok" }
    end
  end,
}
