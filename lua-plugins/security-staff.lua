-- Duty: a level-D organisation names at least one 資通安全兼辦人員, and the
-- roster records his or her duties (計畫 陸、一、1; 資通安全責任等級分級辦法).
return rule {
  id = "security-staff",
  title = "設置資通安全兼辦人員",
  severity = "error",
  source = "計畫 陸、一、1；資通安全責任等級分級辦法（D 級應辦事項）",
  check = function(site, today, params)
    local role = params.category or "資通安全兼辦人員"
    local needed = params.min or 1
    local named = 0
    for _, p in ipairs(site.registers.staff) do
      local in_role = false
      for _, c in ipairs(p.categories or {}) do in_role = in_role or c == role end
      if in_role and not (p.left and p.left <= today) then
        named = named + 1
        if p.duties then
          flag { message = role .. "：" .. p.name .. "（" .. p.id .. "，" .. (p.title or "") .. "），職掌已列冊",
                 status = "ok", row = p }
        else
          flag { message = role .. " " .. p.name .. "（" .. p.id .. "）之職掌未列冊", status = "missing", row = p }
        end
      end
    end
    if named < needed then
      flag { message = "人員名冊僅列 " .. named .. " 名在職之" .. role .. "，至少應設置 " .. needed .. " 人",
             status = "missing", section = params.section or "staffing/專職人力及資源之配置" }
    end
  end,
}
