-- Duty: an internal audit at least once a year; the audited units are told 14
-- days ahead; no auditor audits his or her own work (計畫 壹拾伍、二、(一)1、3、4).
-- "Own work" is read as the auditor's own unit (or a unit under it).
local function deadline(year, mmdd)
  local m, d = mmdd:match("^(%d+)-(%d+)$")
  return date(year, tonumber(m), tonumber(d))
end

return rule {
  id = "internal-audit",
  title = "年度資通安全內部稽核",
  severity = "error",
  source = "計畫 壹拾伍、二、(一)1、3、4",
  check = function(site, today, params)
    local mmdd = params.due or "12-31"
    local window = params.window_days or 30
    local notice = params.notice_days or 14
    local section = params.section or "continuous-improvement/稽核機制之實施"
    local audits, staff = site.registers.audits, site.registers.staff
    local function held(year)
      return audits:find(function(a) return a.date and a.date.year == year and a.date <= today end)
    end

    for _, a in ipairs(audits) do
      local name = a.id .. "（" .. tostring(a.date) .. "）"
      if a.notified and a.date then
        local ahead = days_between(a.notified, a.date)
        if ahead < notice then
          flag { message = name .. "於 " .. tostring(a.notified) .. " 才通知受稽單位，僅提前 " .. ahead
                   .. " 日，應於稽核前 " .. notice .. " 日通知", status = "overdue", due = add_days(a.date, -notice), row = a }
        end
      elseif a.date and a.date >= today and days_between(today, a.date) <= notice + window then
        local due = add_days(a.date, -notice)
        flag { message = name .. "應於 " .. tostring(due) .. " 前通知受稽單位", row = a, due = due,
               status = today > due and "overdue" or "due-soon" }
      end
      for _, role in ipairs({ { "lead_auditor", "稽核組長" }, { "co_auditor", "稽核委員" } }) do
        local p = a[role[1]] and staff:find(function(s) return s.id == a[role[1]] end)
        for _, unit in ipairs(p and a.units or {}) do
          if p.unit and p.unit:find(unit, 1, true) == 1 then
            flag { message = name .. "之" .. role[2] .. " " .. p.name .. "（" .. p.id .. "，" .. p.unit .. "）稽核其所屬單位"
                     .. unit .. "，違反稽核人員不得稽核自身經辦業務之規定", status = "missing", row = a }
          end
        end
      end
    end

    local year = today.year
    local due = deadline(year, mmdd)
    local done = held(year)
    if done then
      local next_due = deadline(year + 1, mmdd)
      flag { message = year .. " 年已於 " .. tostring(done.date) .. " 辦理內部稽核（" .. done.id .. "）；下次應於 "
               .. tostring(next_due) .. " 前辦理", status = "ok", due = next_due, row = done }
    elseif today > due then
      flag { message = year .. " 年尚未辦理內部稽核（期限 " .. tostring(due) .. "）", status = "overdue", due = due, section = section }
    elseif not held(year - 1) then
      local last_due = deadline(year - 1, mmdd)
      flag { message = (year - 1) .. " 年未辦理內部稽核（期限 " .. tostring(last_due) .. "）",
             status = audits[1] and "overdue" or "missing", due = last_due, section = section }
    else
      flag { message = year .. " 年之內部稽核應於 " .. tostring(due) .. " 前辦理", due = due, section = section,
             status = days_between(today, due) <= window and "due-soon" or "ok" }
    end
  end,
}
