-- A small rule for the golden fixture: a yearly review due on 31 October
-- (its owner named, for the status page's 負責人 column), and an ok flag
-- per registered system.
return rule {
  id = "yearly-review",
  title = "年度檢視",
  severity = "error",
  source = "測試計畫 壹、一",
  needs = { ["core-business"] = { "system" } },
  check = function(site, today, params)
    local due = date(today.year, 10, 31)
    if site.revision.date.year < today.year and today > due then
      flag { message = "本年度計畫尚未檢視（期限 " .. tostring(due) .. "）", due = due,
             status = "overdue", section = "basis/policy", owner = "資通安全長" }
    end
    local next_due = date(today.year + 1, 3, 31)
    for _, r in ipairs(site.registers["core-business"]) do
      flag { message = r.system .. " 已登錄", status = "ok", row = r }
    end
    flag { message = "次年度盤點", due = next_due, status = "due-soon" }
  end,
}
