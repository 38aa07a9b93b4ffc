-- Duty: the yearly implementation report of the plan goes to the supervising
-- authority (params.to, else the last report's, else site.yaml's
-- organization.parent) by params.due (11-30).
local dates = require "dates"
local periodic = require "periodic"

return rule {
  id = "implementation-report",
  title = "提出資通安全維護計畫實施情形",
  severity = "error",
  source = "資通安全管理法（實施情形之提出）；資通安全管理法施行細則第 6 條",
  plan = "implementation-report",
  needs = { ["implementation-reports"] = { "year", "sent", "to?" } },
  params = { due = "11-30", window_days = 30, to = false },
  check = function(site, today, params)
    local reports = site.registers["implementation-reports"]
    local last = reports[#reports]
    local parent = site.organization.parent
    local to = params.to or (last and last.to) or (parent and parent ~= "" and parent) or "上級或監督機關"
    local function sent(year)
      return reports:find(function(r) return r.year == year and r.sent and r.sent <= today end)
    end
    local report, due = periodic.yearly {
      today = today, due = params.due, window = params.window_days, done = sent, any = reports[1] ~= nil,
      say = {
        overdue = function(year, d) return year .. " 年度資通安全維護計畫實施情形尚未向" .. to .. "提出（期限 " .. tostring(d) .. "）" end,
        last_year = function(year, d) return year .. " 年度資通安全維護計畫實施情形未向" .. to .. "提出（期限 " .. tostring(d) .. "）" end,
        pending = function(year, d) return year .. " 年度資通安全維護計畫實施情形尚未提出，應於 " .. tostring(d) .. " 前送" .. to end,
      },
    }
    if not report then return end
    local year = today.year
    local where = report.to or to
    if report.sent > due then
      flag { message = year .. " 年度實施情形於 " .. tostring(report.sent) .. " 才送" .. where .. "，晚於 " .. tostring(due) .. " 之期限",
             status = "overdue", due = due, row = report }
    else
      local next_due = dates.deadline(year + 1, params.due)
      flag { message = year .. " 年度實施情形已於 " .. tostring(report.sent) .. " 送" .. where
               .. "；下次應於 " .. tostring(next_due) .. " 前提出", status = "ok", due = next_due, row = report }
    end
  end,
}
