-- Duty: the organisation names its 資通安全長; this plan names the principal
-- (計畫 伍、一, under 資通安全管理法第 11 條 as the plan cites it).
local function has(list, value)
  for _, v in ipairs(list or {}) do
    if v == value then return true end
  end
  return false
end

return rule {
  id = "ciso-designated",
  title = "指定資通安全長",
  severity = "error",
  source = "計畫 伍、一；資通安全管理法第 11 條（2018 年公布之條次）",
  check = function(site, today, params)
    local role = params.category or "資通安全長"
    local title = params.title == nil and "校長" or params.title -- false: any title
    local cisos = site.registers.staff:filter(function(p)
      return has(p.categories, role) and not (p.left and p.left <= today)
    end)
    if #cisos == 0 then
      flag { message = "人員名冊未指定在職之" .. role .. (title and ("（計畫訂由" .. title .. "擔任）") or ""),
             status = "missing", section = params.section or "organization/ciso" }
      return
    end
    for _, p in ipairs(cisos) do
      if title and p.title ~= title then
        flag { message = role .. " " .. p.name .. "（" .. p.id .. "）之職稱為「" .. tostring(p.title)
                 .. "」，計畫訂由" .. title .. "擔任", status = "missing", severity = "warning", row = p }
      else
        flag { message = role .. "：" .. (p.title or "") .. " " .. p.name .. "（" .. p.id .. "）", status = "ok", row = p }
      end
    end
  end,
}
