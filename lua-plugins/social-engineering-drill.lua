-- Duty: hold (or join the supervising authority's) e-mail social-engineering drill
-- periodically and review the results (計畫 玖、三、(三)9); every six months by default.
return rule {
  id = "social-engineering-drill",
  title = "定期辦理電子郵件社交工程演練",
  severity = "error",
  source = "計畫 玖、三、(三)9",
  check = function(site, today, params)
    local months = params.interval_months or 6
    local window = params.window_days or 30
    local kind = params.kind or "社交工程演練"
    local drills = site.registers.drills
    local last
    for _, r in ipairs(drills) do
      if r.kind == kind and r.date and r.date <= today and (not last or r.date > last.date) then last = r end
    end
    if not last then
      flag { message = "查無電子郵件社交工程演練紀錄（應每 " .. months .. " 個月辦理或配合辦理一次）",
             status = "missing", section = params.section or "controls/電子郵件安全管理" }
      return
    end
    local due = add_months(last.date, months)
    local done = "最近一次社交工程演練於 " .. tostring(last.date) .. "（" .. last[drills.key] .. "）"
    if today > due then
      flag { message = done .. "，已逾每 " .. months .. " 個月辦理一次之期限 " .. tostring(due),
             status = "overdue", due = due, row = last }
    else
      flag { message = done .. "，下次應於 " .. tostring(due) .. " 前辦理", due = due, row = last,
             status = days_between(today, due) <= window and "due-soon" or "ok" }
    end
  end,
}
