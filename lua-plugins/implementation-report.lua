-- Duty: the yearly implementation report of the plan goes to the supervising
-- authority by the end of November (計畫 壹拾陸, under 資通安全管理法第 12 條 as
-- the plan cites it).
local function deadline(year, mmdd)
  local m, d = mmdd:match("^(%d+)-(%d+)$")
  return date(year, tonumber(m), tonumber(d))
end

return rule {
  id = "implementation-report",
  title = "提出資通安全維護計畫實施情形",
  severity = "error",
  source = "計畫 壹拾陸；資通安全管理法第 12 條（2018 年公布之條次）；施行細則第 6 條第 2 項",
  check = function(site, today, params)
    local mmdd = params.due or "11-30"
    local window = params.window_days or 30
    local section = params.section or "implementation-report"
    local reports = site.registers["implementation-reports"]
    local last = reports[#reports]
    local to = params.to or (last and last.to) or site.organization.parent or "上級或監督機關"
    local function sent(year)
      return reports:find(function(r) return r.year == year and r.sent and r.sent <= today end)
    end

    local year = today.year
    local due = deadline(year, mmdd)
    local report = sent(year)
    if report then
      local where = report.to or to
      if report.sent > due then
        flag { message = year .. " 年度實施情形於 " .. tostring(report.sent) .. " 才送" .. where .. "，晚於 " .. tostring(due) .. " 之期限",
               status = "overdue", due = due, row = report }
      else
        local next_due = deadline(year + 1, mmdd)
        flag { message = year .. " 年度實施情形已於 " .. tostring(report.sent) .. " 送" .. where
                 .. "；下次應於 " .. tostring(next_due) .. " 前提出", status = "ok", due = next_due, row = report }
      end
    elseif today > due then
      flag { message = year .. " 年度資通安全維護計畫實施情形尚未向" .. to .. "提出（期限 " .. tostring(due) .. "）",
             status = "overdue", due = due, section = section }
    elseif not sent(year - 1) then
      local last_due = deadline(year - 1, mmdd)
      flag { message = (year - 1) .. " 年度資通安全維護計畫實施情形未向" .. to .. "提出（期限 " .. tostring(last_due) .. "）",
             status = reports[1] and "overdue" or "missing", due = last_due, section = section }
    else
      flag { message = year .. " 年度資通安全維護計畫實施情形尚未提出，應於 " .. tostring(due) .. " 前送" .. to,
             due = due, section = section, status = days_between(today, due) <= window and "due-soon" or "ok" }
    end
  end,
}
