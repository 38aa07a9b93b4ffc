-- Duty: every year each information and system asset is risk-assessed on
-- confidentiality, integrity, availability and legal compliance (計畫 捌、一).
local function deadline(year, mmdd)
  local m, d = mmdd:match("^(%d+)-(%d+)$")
  return date(year, tonumber(m), tonumber(d))
end

local DIMENSIONS = { { "c", "機密性" }, { "i", "完整性" }, { "a", "可用性" }, { "legal", "法律遵循性" } }

return rule {
  id = "risk-assessment",
  title = "每年辦理資通安全風險評估",
  severity = "error",
  source = "計畫 捌、一、1、3",
  check = function(site, today, params)
    local mmdd = params.due or "12-31"
    local window = params.window_days or 30
    local year = today.year
    local due = deadline(year, mmdd)
    local risks = site.registers.risks
    local function assessed(asset, y)
      return risks:find(function(r) return r.asset == asset.id and r.assessed and r.assessed.year == y and r.assessed <= today end)
    end

    local open = 0
    for _, asset in ipairs(site.registers.assets) do
      local name = asset.id .. " " .. asset.name
      local row = assessed(asset, year)
      if row then
        local left_out = {}
        for _, d in ipairs(DIMENSIONS) do
          if row[d[1]] == nil then left_out[#left_out + 1] = d[2] end
        end
        if #left_out > 0 then
          open = open + 1
          flag { message = row.id .. "（" .. name .. "）未評估" .. table.concat(left_out, "、"), status = "missing", row = row }
        end
      else
        open = open + 1
        local ever = risks:find(function(r) return r.asset == asset.id end)
        local last_due = deadline(year - 1, mmdd)
        if not ever then
          flag { message = "資產 " .. name .. "尚無 " .. year .. " 年風險評估（應於 " .. tostring(due) .. " 前完成）",
                 status = "missing", due = due, row = asset }
        elseif not assessed(asset, year - 1) and today > last_due then
          flag { message = "資產 " .. name .. "未辦理 " .. (year - 1) .. " 年風險評估", status = "overdue", due = last_due, row = asset }
        elseif today > due then
          flag { message = "資產 " .. name .. "未辦理 " .. year .. " 年風險評估", status = "overdue", due = due, row = asset }
        elseif days_between(today, due) <= window then
          flag { message = "資產 " .. name .. "尚未辦理 " .. year .. " 年風險評估（期限 " .. tostring(due) .. "）",
                 status = "due-soon", due = due, row = asset }
        end
      end
    end
    if open == 0 and #site.registers.assets > 0 then
      local next_due = deadline(year + 1, mmdd)
      flag { message = year .. " 年 " .. #site.registers.assets .. " 項資產均已完成風險評估；下次應於 " .. tostring(next_due) .. " 前完成",
             status = "ok", due = next_due, section = params.section or "risk-assessment/資通安全風險評估" }
    end
  end,
}
