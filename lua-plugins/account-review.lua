-- Duty: system administrators review user accounts periodically, and the ID of a
-- user who no longer needs a system is disabled at once (計畫 玖、二、(二)2、3).
-- A leaver counts as handled when a user-account review was held on or after the
-- day he or she left.
return rule {
  id = "account-review",
  title = "定期清查使用者帳號及停用離職人員帳號",
  severity = "error",
  source = "計畫 玖、二、(二)3",
  check = function(site, today, params)
    local months = params.interval_months or 6
    local window = params.window_days or 30
    local grace = params.leaver_days or 0
    local kind = params.kind or "一般帳號"
    local reviews = site.registers["account-reviews"]:filter(function(r)
      return r.kind == kind and r.date and r.date <= today
    end)
    local last
    for _, r in ipairs(reviews) do
      if not last or r.date > last.date then last = r end
    end

    if not last then
      flag { message = "查無" .. kind .. "清查紀錄（應每 " .. months .. " 個月清查一次）",
             status = "missing", section = params.section or "controls/account-management" }
    else
      local due = add_months(last.date, months)
      local done = "最近一次" .. kind .. "清查於 " .. tostring(last.date) .. "（" .. last.id .. "）"
      if today > due then
        flag { message = done .. "，已逾每 " .. months .. " 個月清查一次之期限 " .. tostring(due),
               status = "overdue", due = due, row = last }
      else
        flag { message = done .. "，下次應於 " .. tostring(due) .. " 前清查", due = due, row = last,
               status = days_between(today, due) <= window and "due-soon" or "ok" }
      end
    end

    for _, person in ipairs(site.registers.staff) do
      if person.left and person.left <= today then
        local handled = reviews:find(function(r) return r.date >= person.left end)
        if not handled then
          local due = add_days(person.left, grace)
          flag { message = person.name .. "（" .. person.id .. "，" .. (person.title or "") .. "）已於 "
                   .. tostring(person.left) .. " 離職，其後未辦理" .. kind .. "清查，無紀錄顯示其帳號已停用或移除",
                 status = today > due and "missing" or "due-soon", due = due, row = person }
        end
      end
    end
  end,
}
