-- Duty: the organisation names its 資通安全長 (params.category in the staff
-- register's roles), held by params.title (校長 for a school; false: any title).
local has_role = (require "people").has_role
local active = (require "people").active

return rule {
  id = "ciso-designated",
  title = "指定資通安全長",
  severity = "error",
  source = "資通安全管理法（資通安全長之設置）；資通安全管理法施行細則第 6 條（資通安全推動組織）",
  plan = "organization/資通安全長",
  needs = { staff = { "name", "categories", "left", "title?" } },
  params = { category = "資通安全長", title = "校長" },
  check = function(site, today, params)
    local role, title = params.category, params.title
    local cisos = site.registers.staff:filter(function(p) return has_role(p, role) and active(p, today) end)
    if #cisos == 0 then
      flag { message = "人員名冊未指定在職之" .. role .. (title and ("（計畫訂由" .. title .. "擔任）") or ""),
             status = "missing" }
      return
    end
    for _, p in ipairs(cisos) do
      if title and site.registers.staff.fields.title and p.title ~= title then
        flag { message = role .. " " .. p.name .. "（" .. p._key .. "）之職稱為「" .. tostring(p.title)
                 .. "」，計畫訂由" .. title .. "擔任", status = "missing", severity = "warning", row = p }
      else
        flag { message = role .. "：" .. (p.title or "") .. " " .. p.name .. "（" .. p._key .. "）", status = "ok", row = p }
      end
    end
  end,
}
