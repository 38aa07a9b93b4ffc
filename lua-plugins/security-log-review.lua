-- Duty: security devices' logs are backed up and reviewed regularly, and a
-- supervisor checks the result (計畫 玖、五、2). Quarterly unless
-- params.interval_months says otherwise; the reviews of the last
-- params.lookback_months (12) must show the backup and the supervisor.
return rule {
  id = "security-log-review",
  title = "資安設備日誌備份及定期檢視",
  severity = "error",
  source = "計畫 玖、五、2",
  check = function(site, today, params)
    local months = params.interval_months or 3
    local window = params.window_days or 30
    local since = add_months(today, -(params.lookback_months or 12))
    local reviews = site.registers["log-reviews"]
    local last
    for _, r in ipairs(reviews) do
      if r.date and r.date <= today then
        if not last or r.date > last.date then last = r end
        if r.date >= since and r.backed_up ~= true then
          flag { message = r.id .. "（" .. (r.period or tostring(r.date)) .. "）未備份資安設備日誌",
                 status = "missing", row = r }
        end
        if r.date >= since and not r.supervisor then
          flag { message = r.id .. "（" .. (r.period or tostring(r.date)) .. "）之日誌檢視結果未經主管複核",
                 status = "missing", severity = "warning", row = r }
        end
      end
    end
    if not last then
      flag { message = "查無資安設備日誌檢視紀錄（應每 " .. months .. " 個月檢視一次）",
             status = "missing", section = params.section or "controls/資通安全防護設備" }
      return
    end
    local due = add_months(last.date, months)
    local done = "最近一次資安設備日誌檢視於 " .. tostring(last.date) .. "（" .. last.id .. "，" .. (last.period or "") .. "）"
    if today > due then
      flag { message = done .. "，已逾每 " .. months .. " 個月檢視一次之期限 " .. tostring(due),
             status = "overdue", due = due, row = last }
    else
      flag { message = done .. "，下次應於 " .. tostring(due) .. " 前檢視", due = due, row = last,
             status = days_between(today, due) <= window and "due-soon" or "ok" }
    end
  end,
}
