-- Duty: managers check the software installed on their devices every six months
-- (計畫 玖、三、(一)2).
return rule {
  id = "software-inventory",
  title = "每半年辦理軟體清查",
  severity = "error",
  source = "計畫 玖、三、(一)2",
  check = function(site, today, params)
    local months = params.interval_months or 6
    local window = params.window_days or 30
    local checks = site.registers["software-checks"]
    local last
    for _, r in ipairs(checks) do
      if r.date and r.date <= today and (not last or r.date > last.date) then last = r end
    end
    if not last then
      flag { message = "查無軟體清查紀錄（應每 " .. months .. " 個月清查一次）",
             status = "missing", section = params.section or "controls/防範惡意軟體之控制措施" }
      return
    end
    local due = add_months(last.date, months)
    local done = "最近一次軟體清查於 " .. tostring(last.date) .. "（" .. last[checks.key] .. "，" .. (last.scope or "") .. "）"
    if today > due then
      flag { message = done .. "，已逾每 " .. months .. " 個月清查一次之期限 " .. tostring(due),
             status = "overdue", due = due, row = last }
    else
      flag { message = done .. "，下次應於 " .. tostring(due) .. " 前清查", due = due, row = last,
             status = days_between(today, due) <= window and "due-soon" or "ok" }
    end
  end,
}
