-- A check on the plan's own text for the golden fixture (kind "document"):
-- the status page lists it apart from the school's duties.
return rule {
  id = "policy-dated",
  title = "政策段落載明生效日期",
  severity = "warning",
  source = "測試計畫 壹、一",
  kind = "document",
  check = function(site, today, params)
    flag { message = "壹、一 政策未載明生效日期", status = "missing", section = "basis/policy" }
  end,
}
