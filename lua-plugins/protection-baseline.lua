-- Duty: antivirus, a network firewall and e-mail filtering are in place, used and
-- kept updated (計畫 玖、五、1). "Updated" means a recorded update within
-- params.max_age_days (90).
return rule {
  id = "protection-baseline",
  title = "資通安全防護設備建置及更新",
  severity = "error",
  source = "計畫 玖、五、1；玖、三、(一)1",
  check = function(site, today, params)
    local max_age = params.max_age_days or 90
    local window = params.window_days or 30
    for _, kind in ipairs(params.kinds or { "防毒軟體", "網路防火牆", "電子郵件過濾" }) do
      local last
      for _, p in ipairs(site.registers.protections) do
        if p.kind == kind and p.updated and p.updated <= today and (not last or p.updated > last.updated) then
          last = p
        end
      end
      if not last then
        flag { message = "未建置" .. kind .. "（或無更新紀錄）", status = "missing",
               section = params.section or "controls/資通安全防護設備" }
      else
        local due = add_days(last.updated, max_age)
        local what = kind .. "「" .. last.product .. "」（" .. last.id .. "）最近更新於 " .. tostring(last.updated)
        if today > due then
          flag { message = what .. "，已逾 " .. max_age .. " 天未更新", status = "overdue", due = due, row = last }
        else
          flag { message = what .. "，應於 " .. tostring(due) .. " 前再確認更新", due = due, row = last,
                 status = days_between(today, due) <= window and "due-soon" or "ok" }
        end
      end
    end
  end,
}
