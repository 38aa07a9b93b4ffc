-- Duty: the security policy and goals are publicised every year to all staff and
-- to stakeholders such as IT suppliers (計畫 肆、四、1、2).
local function deadline(year, mmdd)
  local m, d = mmdd:match("^(%d+)-(%d+)$")
  return date(year, tonumber(m), tonumber(d))
end

return rule {
  id = "policy-publicised",
  title = "每年宣導資通安全政策及目標",
  severity = "error",
  source = "計畫 肆、四",
  check = function(site, today, params)
    local mmdd = params.due or "12-31"
    local window = params.window_days or 30
    local section = params.section or "policy/資通安全政策及目標之宣導"
    local publicity = site.registers.publicity
    local function publicised(audience, year)
      local last
      for _, r in ipairs(publicity) do
        if r.audience == audience and r.date and r.date.year == year and r.date <= today
           and (not last or r.date > last.date) then
          last = r
        end
      end
      return last
    end

    local year = today.year
    local due = deadline(year, mmdd)
    for _, audience in ipairs(params.audiences or { "全體同仁", "利害關係人" }) do
      local done = publicised(audience, year)
      if done then
        local next_due = deadline(year + 1, mmdd)
        flag { message = year .. " 年已向" .. audience .. "宣導資通安全政策及目標（" .. done.id .. "，"
                 .. tostring(done.date) .. "，" .. done.method .. "）", status = "ok", due = next_due, row = done }
      elseif today > due then
        flag { message = year .. " 年尚未向" .. audience .. "宣導資通安全政策及目標（期限 " .. tostring(due) .. "）",
               status = "overdue", due = due, section = section }
      elseif not publicised(audience, year - 1) then
        local last_due = deadline(year - 1, mmdd)
        flag { message = (year - 1) .. " 年未向" .. audience .. "宣導資通安全政策及目標（期限 " .. tostring(last_due) .. "）",
               status = "overdue", due = last_due, section = section }
      else
        flag { message = year .. " 年應於 " .. tostring(due) .. " 前向" .. audience .. "宣導資通安全政策及目標",
               due = due, section = section, status = days_between(today, due) <= window and "due-soon" or "ok" }
      end
    end
  end,
}
