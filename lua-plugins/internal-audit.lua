-- Duty: an internal audit at least once a year (by params.due); the audited units
-- are told params.notice_days (14) ahead; no auditor audits his or her own work,
-- read as the auditor's own unit (or a unit under it).
local dates = require "dates"
local periodic = require "periodic"
local people = require "people"

return rule {
  id = "internal-audit",
  title = "年度資通安全內部稽核",
  severity = "error",
  source = "資通安全管理法施行細則第 6 條（持續精進及績效管理機制：稽核）",
  plan = "continuous-improvement/稽核",
  needs = {
    audits = { "date", "notified", "units?", "lead_auditor?", "co_auditor?" },
    ["staff?"] = { "name", "unit?" },
  },
  params = { due = "12-31", window_days = 30, notice_days = 14 },
  check = function(site, today, params)
    local notice = params.notice_days
    local audits, staff = site.registers.audits, site.registers.staff

    for _, a in ipairs(audits) do
      local name = a._key .. "（" .. tostring(a.date) .. "）"
      local lead = a.lead_auditor and people.name(staff, a.lead_auditor) or nil
      if a.notified and a.date then
        local ahead = days_between(a.notified, a.date)
        if ahead < notice then
          flag { message = name .. "於 " .. tostring(a.notified) .. " 才通知受稽單位，僅提前 " .. ahead
                   .. " 日，應於稽核前 " .. notice .. " 日通知", status = "overdue", due = add_days(a.date, -notice), row = a, owner = lead }
        end
      elseif a.date and a.date >= today and days_between(today, a.date) <= notice + params.window_days then
        local due = add_days(a.date, -notice)
        flag { message = name .. "應於 " .. tostring(due) .. " 前通知受稽單位", row = a, due = due, owner = lead,
               status = today > due and "overdue" or "due-soon" }
      end
      for _, role in ipairs({ { "lead_auditor", "稽核組長" }, { "co_auditor", "稽核委員" } }) do
        local p = people.find(staff, a[role[1]])
        for _, unit in ipairs(p and a.units or {}) do
          if p.unit and p.unit:find(unit, 1, true) == 1 then
            flag { message = name .. "之" .. role[2] .. " " .. p.name .. "（" .. p._key .. "，" .. p.unit .. "）稽核其所屬單位"
                     .. unit .. "，違反稽核人員不得稽核自身經辦業務之規定", status = "missing", row = a }
          end
        end
      end
    end

    local done = periodic.yearly {
      today = today, due = params.due, window = params.window_days, any = audits[1] ~= nil,
      done = function(year)
        return audits:find(function(a) return a.date and a.date.year == year and a.date <= today end)
      end,
      say = {
        overdue = function(year, d) return year .. " 年尚未辦理內部稽核（期限 " .. tostring(d) .. "）" end,
        last_year = function(year, d) return year .. " 年未辦理內部稽核（期限 " .. tostring(d) .. "）" end,
        pending = function(year, d) return year .. " 年之內部稽核應於 " .. tostring(d) .. " 前辦理" end,
      },
    }
    if done then
      local next_due = dates.deadline(today.year + 1, params.due)
      flag { message = today.year .. " 年已於 " .. tostring(done.date) .. " 辦理內部稽核（" .. done._key .. "）；下次應於 "
               .. tostring(next_due) .. " 前辦理", status = "ok", due = next_due, row = done }
    end
  end,
}
