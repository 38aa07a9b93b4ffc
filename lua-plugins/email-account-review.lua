-- Duty: the e-mail administrator reviews e-mail accounts periodically
-- (計畫 玖、三、(三)2); yearly unless params.interval_months says otherwise.
return rule {
  id = "email-account-review",
  title = "定期清查電子郵件帳號",
  severity = "error",
  source = "計畫 玖、三、(三)1、2",
  check = function(site, today, params)
    local months = params.interval_months or 12
    local window = params.window_days or 30
    local kind = params.kind or "電子郵件帳號"
    local reviews = site.registers["account-reviews"]
    local last
    for _, r in ipairs(reviews) do
      if r.kind == kind and r.date and r.date <= today and (not last or r.date > last.date) then last = r end
    end
    if not last then
      flag { message = "查無電子郵件帳號清查紀錄（應每 " .. months .. " 個月清查一次）",
             status = "missing", section = params.section or "controls/電子郵件安全管理" }
      return
    end
    local due = add_months(last.date, months)
    local done = "最近一次電子郵件帳號清查於 " .. tostring(last.date) .. "（" .. last[reviews.key] .. "）"
    if today > due then
      flag { message = done .. "，已逾每 " .. months .. " 個月清查一次之期限 " .. tostring(due),
             status = "overdue", due = due, row = last }
    else
      flag { message = done .. "，下次應於 " .. tostring(due) .. " 前清查", due = due, row = last,
             status = days_between(today, due) <= window and "due-soon" or "ok" }
    end
  end,
}
