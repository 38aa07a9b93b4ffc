-- Duty: staff who manage, maintain, design or operate important systems and
-- devices sign a written confidentiality agreement. Who must sign: the
-- administrators named in the core and non-core business tables, the custodians
-- of those systems' assets and of the asset classes in params.asset_classes, and
-- the staff roles in params.categories.
local people = require "people"
local text = require "text"

return rule {
  id = "confidentiality-agreements",
  title = "重要資通設備管理人員簽署保密同意書",
  severity = "error",
  source = "資通安全管理法施行細則第 6 條（專職人力：保密義務）",
  plan = "staffing/人力",
  needs = {
    staff = { "name", "left", "title?", "categories?" },
    agreements = { "person", "signed" },
    ["core-business?"] = { "system", "admin?" },
    ["non-core-business?"] = { "business", "admin?" },
    ["assets?"] = { "name", "class?", "custodian?" },
  },
  params = { asset_classes = { "硬體資產" }, categories = { "資通安全兼辦人員" } },
  check = function(site, today, params)
    local staff = site.registers.staff
    local active = staff:filter(function(p) return people.active(p, today) end)
    local order, reasons = {}, {}
    local function need(p, why)
      if not p then return end
      if not reasons[p._key] then
        reasons[p._key] = {}
        order[#order + 1] = p
      end
      table.insert(reasons[p._key], why)
    end
    -- the tables name people by name, or by a title only one person holds
    local function by_text(name)
      if not name then return nil end
      local p = active:find(function(s) return s.name == name end)
      if p then return p end
      local titled = active:filter(function(s) return s.title == name end)
      return #titled == 1 and titled[1] or nil
    end

    local systems = {}
    for _, r in ipairs(site.registers["core-business"]) do
      systems[r.system] = true
      need(by_text(r.admin), r.system .. "之系統管理人員（核心業務 " .. r._key .. "）")
    end
    for _, r in ipairs(site.registers["non-core-business"]) do
      systems[r.business] = true
      need(by_text(r.admin), r.business .. "之系統管理人員（非核心業務 " .. r._key .. "）")
    end
    local classes = {}
    for _, c in ipairs(params.asset_classes) do classes[c] = true end
    for _, a in ipairs(site.registers.assets) do
      if a.custodian and (systems[a.name] or classes[a.class]) then
        local p = people.find(active, a.custodian)
        need(p, "資產 " .. text.row_name(a, a.name) .. "之保管人")
      end
    end
    for _, category in ipairs(params.categories) do
      for _, p in ipairs(active) do
        if people.has_role(p, category) then need(p, category) end
      end
    end

    local agreements = site.registers.agreements
    local form = "資通安全保密同意書"
    for _, a in ipairs(site.annexes) do
      if a.register == agreements.name then form = "附件 " .. a.number .. "「" .. a.title .. "」" end
    end
    for _, p in ipairs(order) do
      local why = reasons[p._key]
      local shown = table.concat(why, "、", 1, math.min(#why, 3)) .. (#why > 3 and "等" or "")
      local signed = agreements:find(function(g)
        return g.person == p._key and g.signed and g.signed <= today
      end)
      if signed then
        flag { message = p.name .. "（" .. p._key .. "）已於 " .. tostring(signed.signed) .. " 簽署" .. form .. "（" .. signed._key .. "）",
               status = "ok", row = signed }
      else
        flag { message = p.name .. "（" .. p._key .. "）為" .. shown .. "，尚未簽署" .. form, status = "missing", row = p, owner = p.name }
      end
    end
  end,
}
