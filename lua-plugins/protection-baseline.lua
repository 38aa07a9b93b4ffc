-- Duty: the protections the school must have (params.kinds, else the values the
-- protections register's kind field offers: the example's antivirus, network
-- firewall and e-mail filtering) are in place and kept updated: a recorded update
-- within params.max_age_days (90).
return rule {
  id = "protection-baseline",
  title = "資通安全防護設備建置及更新",
  severity = "error",
  source = "資通安全責任等級分級辦法（應辦事項：防毒軟體、網路防火牆、電子郵件過濾機制）",
  plan = "controls/防護設備",
  needs = { protections = { "kind", "updated", "product?" } },
  params = { max_age_days = 90, window_days = 30, kinds = false },
  check = function(site, today, params)
    local protections = site.registers.protections
    local kinds = params.kinds or protections.options.kind or { "防毒軟體", "網路防火牆", "電子郵件過濾" }
    for _, kind in ipairs(kinds) do
      local last
      for _, p in ipairs(protections) do
        if p.kind == kind and p.updated and p.updated <= today and (not last or p.updated > last.updated) then
          last = p
        end
      end
      if not last then
        flag { message = "未建置" .. kind .. "（或無更新紀錄）", status = "missing" }
      else
        local due = add_days(last.updated, params.max_age_days)
        local what = kind .. (last.product and ("「" .. last.product .. "」") or "") .. "（" .. last._key .. "）最近更新於 " .. tostring(last.updated)
        if today > due then
          flag { message = what .. "，已逾 " .. params.max_age_days .. " 天未更新", status = "overdue", due = due, row = last }
        else
          flag { message = what .. "，應於 " .. tostring(due) .. " 前再確認更新", due = due, row = last,
                 status = days_between(today, due) <= params.window_days and "due-soon" or "ok" }
        end
      end
    end
  end,
}
