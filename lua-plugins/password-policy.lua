-- Duty: systems enforce passwords of at least params.min_length characters, with
-- at least params.min_classes of upper case, lower case, digits and symbols,
-- changed at least every params.max_age_days (the example plan's 8, 3 and 90).
-- Every core system must have its policy on record (found by its asset or by
-- name).
local text = require "text"

return rule {
  id = "password-policy",
  title = "資通系統通行碼原則",
  severity = "error",
  source = "資通安全管理法施行細則第 6 條（資通安全防護及控制措施：存取控制）",
  plan = "controls/權限管理",
  needs = {
    systems = { "min_length", "classes", "max_age_days", "system?", "asset?" },
    ["core-business?"] = { "system" },
    ["assets?"] = { "name" },
  },
  params = { min_length = 8, min_classes = 3, max_age_days = 90 },
  check = function(site, today, params)
    local systems = site.registers.systems
    for _, s in ipairs(systems) do
      local name = text.row_name(s, s.system)
      local faults = {}
      local function need(value, ok, wrong, unrecorded)
        if value == nil then faults[#faults + 1] = "未記錄" .. unrecorded
        elseif not ok(value) then faults[#faults + 1] = wrong end
      end
      need(s.min_length, function(v) return v >= params.min_length end,
           "最小長度 " .. tostring(s.min_length) .. " 碼（應 " .. params.min_length .. " 碼以上）", "最小長度")
      need(s.classes, function(v) return v >= params.min_classes end,
           "字元類別 " .. tostring(s.classes) .. " 種（應 " .. params.min_classes .. " 種以上）", "字元類別數")
      need(s.max_age_days, function(v) return v <= params.max_age_days end,
           "每 " .. tostring(s.max_age_days) .. " 天更換一次（應至少每 " .. params.max_age_days .. " 天更換）", "更換週期")
      if #faults > 0 then
        flag { message = name .. "之通行碼原則不符規定：" .. table.concat(faults, "；"), status = "missing", row = s }
      else
        flag { message = name .. "：通行碼 " .. s.min_length .. " 碼以上、" .. s.classes
                 .. " 種字元、每 " .. s.max_age_days .. " 天更換", status = "ok", row = s }
      end
    end
    -- every core system has a recorded policy (by its asset or by name)
    for _, c in ipairs(site.registers["core-business"]) do
      local asset = site.registers.assets:find(function(a) return a.name == c.system end)
      local recorded = systems:find(function(s)
        return (asset and s.asset == asset._key) or (s.system and s.system:find(c.system, 1, true) == 1)
      end)
      if not recorded then
        flag { message = "核心資通系統 " .. c.system .. "（" .. c._key .. "）未記錄通行碼原則", status = "missing", row = c }
      end
    end
  end,
}
