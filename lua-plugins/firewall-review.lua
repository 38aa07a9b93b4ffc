-- Duty: review the firewall policy periodically (計畫 玖、二、(一)3); this plan's
-- practice is every six months (params.interval_months).
return rule {
  id = "firewall-review",
  title = "定期檢視防火牆政策",
  severity = "error",
  source = "計畫 玖、二、(一)3",
  check = function(site, today, params)
    local months = params.interval_months or 6
    local window = params.window_days or 30
    local reviews = site.registers["firewall-reviews"]
    local last
    for _, r in ipairs(reviews) do
      if r.date and r.date <= today and (not last or r.date > last.date) then last = r end
    end
    if not last then
      flag { message = "查無防火牆政策檢視紀錄（應每 " .. months .. " 個月檢視一次）",
             status = "missing", section = params.section or "controls/network-security" }
      return
    end
    local due = add_months(last.date, months)
    local done = "防火牆政策最近一次於 " .. tostring(last.date) .. " 檢視（" .. last[reviews.key] .. "）"
    if today > due then
      flag { message = done .. "，已逾每 " .. months .. " 個月檢視一次之期限 " .. tostring(due),
             status = "overdue", due = due, row = last }
    else
      flag { message = done .. "，下次應於 " .. tostring(due) .. " 前檢視", due = due, row = last,
             status = days_between(today, due) <= window and "due-soon" or "ok" }
    end
  end,
}
