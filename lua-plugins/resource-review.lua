-- Duty: the staffing and the budget for security are reviewed every year as part
-- of the management review (計畫 陸、一、5 and 陸、二、4).
local function deadline(year, mmdd)
  local m, d = mmdd:match("^(%d+)-(%d+)$")
  return date(year, tonumber(m), tonumber(d))
end

return rule {
  id = "resource-review",
  title = "每年檢討資通安全人力及經費配置",
  severity = "error",
  source = "計畫 陸、一、5；陸、二、4",
  check = function(site, today, params)
    local mmdd = params.due or "10-31"
    local window = params.window_days or 30
    local section = params.section or "staffing/專職人力及資源之配置"
    local reviews = site.registers["management-reviews"]
    local function reviewed(year)
      return reviews:find(function(r)
        return r.date and r.date.year == year and r.date <= today and r.resources_reviewed == true
      end)
    end

    local year = today.year
    local due = deadline(year, mmdd)
    local review = reviewed(year)
    if review then
      local next_due = deadline(year + 1, mmdd)
      flag { message = year .. " 年已於管理審查會議（" .. review.id .. "，" .. tostring(review.date)
               .. "）檢討資通安全人力及經費配置；下次應於 " .. tostring(next_due) .. " 前檢討",
             status = "ok", due = next_due, row = review }
    elseif today > due then
      flag { message = year .. " 年尚未於管理審查會議檢討資通安全人力及經費配置（應於 " .. tostring(due) .. " 前）",
             status = "overdue", due = due, section = section }
    elseif not reviewed(year - 1) then
      local last_due = deadline(year - 1, mmdd)
      flag { message = (year - 1) .. " 年未於管理審查會議檢討資通安全人力及經費配置（應於 " .. tostring(last_due) .. " 前）",
             status = reviews[1] and "overdue" or "missing", due = last_due, section = section }
    else
      flag { message = year .. " 年之資通安全人力及經費配置應於 " .. tostring(due) .. " 前於管理審查會議檢討",
             due = due, section = section, status = days_between(today, due) <= window and "due-soon" or "ok" }
    end
  end,
}
