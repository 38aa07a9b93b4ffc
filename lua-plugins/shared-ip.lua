-- Check on the plan text: the same IP address given for two different systems
-- with different administrators is likely a copy error (the seed gives
-- 210.240.1.56 to both 校務行政系統 and 全球資訊網). Sources: the core and
-- non-core business tables and the asset register.
-- the IPv4/IPv6 addresses (or ranges) in a cell
local people = require "people"

local function split(ips)
  local out = {}
  for token in (ips or ""):gmatch("[%x%.:/]+") do
    if token:find("%d") and (token:find(".", 1, true) or token:find(":", 1, true)) then out[#out + 1] = token end
  end
  return out
end

return rule {
  id = "shared-ip",
  title = "同一 IP 登錄於不同系統及管理人員",
  severity = "warning",
  source = "資通安全管理法施行細則第 6 條（核心業務及其重要性；資訊及資通系統之盤點）",
  plan = "core-business",
  needs = {
    ["core-business?"] = { "system", "ip?", "admin?" },
    ["non-core-business?"] = { "business", "ip?", "admin?" },
    ["assets?"] = { "name", "ip?", "custodian?" },
    ["staff?"] = { "name" },
  },
  kind = "document",
  check = function(site, today, params)
    local uses, order = {}, {}
    local function add(ip, use)
      if not uses[ip] then uses[ip] = {}; order[#order + 1] = ip end
      table.insert(uses[ip], use)
    end
    for _, r in ipairs(site.registers["core-business"]) do
      for _, ip in ipairs(split(r.ip)) do
        add(ip, { system = r.system, admin = r.admin, where = "核心業務 " .. r._key .. (r.admin and ("，系統管理人員 " .. r.admin) or ""), row = r })
      end
    end
    for _, r in ipairs(site.registers["non-core-business"]) do
      for _, ip in ipairs(split(r.ip)) do
        add(ip, { system = r.business, admin = r.admin, where = "非核心業務 " .. r._key .. (r.admin and ("，系統管理人員 " .. r.admin) or ""), row = r })
      end
    end
    for _, a in ipairs(site.registers.assets) do
      local p = people.find(site.registers.staff, a.custodian)
      for _, ip in ipairs(split(a.ip)) do
        add(ip, { system = a.name, custodian = p and p.name, where = "資產 " .. a._key .. (p and ("，保管人 " .. p.name) or ""), row = a })
      end
    end

    local shared = 0
    for _, ip in ipairs(order) do
      local systems, people, names, text = {}, { admin = {}, custodian = {} }, {}, {}
      for _, u in ipairs(uses[ip]) do
        if not systems[u.system] then
          systems[u.system] = {}
          names[#names + 1] = u.system
        end
        table.insert(systems[u.system], u.where)
        if u.admin then people.admin[u.admin] = true end
        if u.custodian then people.custodian[u.custodian] = true end
      end
      local function several(set)
        local n = 0
        for _ in pairs(set) do n = n + 1 end
        return n > 1
      end
      if #names > 1 and (several(people.admin) or several(people.custodian)) then
        shared = shared + 1
        for _, n in ipairs(names) do text[#text + 1] = n .. "（" .. table.concat(systems[n], "；") .. "）" end
        -- the flag sits on the first entry that names another system than the first
        local at
        for _, u in ipairs(uses[ip]) do
          if not at and u.system ~= names[1] then at = u.row end
        end
        flag { message = "IP " .. ip .. " 同時登錄為 " .. table.concat(text, " 及 ") .. " 之 IP，而管理人員不同，請確認是否誤植",
               status = "missing", row = at }
      end
    end
    if shared == 0 then
      flag { message = "各系統登錄之 IP 未與其他管理人員之系統重複", status = "ok" }
    end
  end,
}
