-- Duty: staff who manage, maintain, design or operate important systems and
-- devices sign a written confidentiality agreement (計畫 陸、一、3; 附件
-- 資通安全保密同意書). Who must sign: the administrators named in the core and
-- non-core business tables, the custodians of those systems' assets and of the
-- asset classes in params.asset_classes (硬體資產), and the staff categories in
-- params.categories (資通安全兼辦人員).
return rule {
  id = "confidentiality-agreements",
  title = "重要資通設備管理人員簽署保密同意書",
  severity = "error",
  source = "計畫 陸、一、3",
  check = function(site, today, params)
    local staff = site.registers.staff
    local active = staff:filter(function(p) return not (p.left and p.left <= today) end)
    local order, reasons = {}, {}
    local function need(p, why)
      if not p then return end
      if not reasons[p.id] then
        reasons[p.id] = {}
        order[#order + 1] = p
      end
      table.insert(reasons[p.id], why)
    end
    -- the tables name people by name, or by a title only one person holds
    local function by_text(text)
      if not text then return nil end
      local p = active:find(function(s) return s.name == text end)
      if p then return p end
      local titled = active:filter(function(s) return s.title == text end)
      return #titled == 1 and titled[1] or nil
    end

    local systems = {}
    for _, r in ipairs(site.registers["core-business"]) do
      systems[r.system] = true
      need(by_text(r.admin), r.system .. "之系統管理人員（核心業務 " .. r.id .. "）")
    end
    for _, r in ipairs(site.registers["non-core-business"]) do
      systems[r.business] = true
      need(by_text(r.admin), r.business .. "之系統管理人員（非核心業務 " .. r.id .. "）")
    end
    local classes = {}
    for _, c in ipairs(params.asset_classes or { "硬體資產" }) do classes[c] = true end
    for _, a in ipairs(site.registers.assets) do
      if a.custodian and (systems[a.name] or classes[a.class]) then
        need(active:find(function(s) return s.id == a.custodian end), "資產 " .. a.id .. " " .. a.name .. "之保管人")
      end
    end
    for _, category in ipairs(params.categories or { "資通安全兼辦人員" }) do
      for _, p in ipairs(active) do
        for _, c in ipairs(p.categories or {}) do
          if c == category then need(p, category) end
        end
      end
    end

    local form = "資通安全保密同意書"
    for _, a in ipairs(site.annexes) do
      if a.register == "agreements" then form = "附件 " .. a.number .. "「" .. a.title .. "」" end
    end
    for _, p in ipairs(order) do
      local why = reasons[p.id]
      local shown = table.concat(why, "、", 1, math.min(#why, 3)) .. (#why > 3 and "等" or "")
      local signed = site.registers.agreements:find(function(g)
        return g.person == p.id and g.signed and g.signed <= today
      end)
      if signed then
        flag { message = p.name .. "（" .. p.id .. "）已於 " .. tostring(signed.signed) .. " 簽署" .. form .. "（" .. signed.id .. "）",
               status = "ok", row = signed }
      else
        flag { message = p.name .. "（" .. p.id .. "）為" .. shown .. "，尚未簽署" .. form, status = "missing", row = p }
      end
    end
  end,
}
