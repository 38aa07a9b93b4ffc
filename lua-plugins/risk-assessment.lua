-- Duty: every year each information and system asset is risk-assessed (by
-- params.due) on confidentiality, integrity, availability and legal compliance
-- (the dimensions the risk register keeps).
local dates = require "dates"
local text = require "text"

local DIMENSIONS = { { "c", "機密性" }, { "i", "完整性" }, { "a", "可用性" }, { "legal", "法律遵循性" } }

return rule {
  id = "risk-assessment",
  title = "每年辦理資通安全風險評估",
  severity = "error",
  source = "資通安全管理法施行細則第 6 條（資通安全風險評估）",
  plan = "risk-assessment",
  needs = {
    assets = { "name" },
    risks = { "asset", "assessed", "c?", "i?", "a?", "legal?" },
  },
  params = { due = "12-31", window_days = 30 },
  check = function(site, today, params)
    local year = today.year
    local due = dates.deadline(year, params.due)
    local risks, assets = site.registers.risks, site.registers.assets
    local function assessed(asset, y)
      return risks:find(function(r) return r.asset == asset._key and r.assessed and r.assessed.year == y and r.assessed <= today end)
    end

    local open = 0
    for _, asset in ipairs(assets) do
      local name = text.row_name(asset, asset.name)
      local row = assessed(asset, year)
      if row then
        local left_out = {}
        for _, d in ipairs(DIMENSIONS) do
          if risks.fields[d[1]] and row[d[1]] == nil then left_out[#left_out + 1] = d[2] end
        end
        if #left_out > 0 then
          open = open + 1
          flag { message = row._key .. "（" .. name .. "）未評估" .. table.concat(left_out, "、"), status = "missing", row = row }
        end
      else
        open = open + 1
        local ever = risks:find(function(r) return r.asset == asset._key end)
        local last_due = dates.deadline(year - 1, params.due)
        if not ever then
          flag { message = "資產 " .. name .. "尚無 " .. year .. " 年風險評估（應於 " .. tostring(due) .. " 前完成）",
                 status = "missing", due = due, row = asset }
        elseif not assessed(asset, year - 1) and today > last_due then
          flag { message = "資產 " .. name .. "未辦理 " .. (year - 1) .. " 年風險評估", status = "overdue", due = last_due, row = asset }
        elseif today > due then
          flag { message = "資產 " .. name .. "未辦理 " .. year .. " 年風險評估", status = "overdue", due = due, row = asset }
        elseif days_between(today, due) <= params.window_days then
          flag { message = "資產 " .. name .. "尚未辦理 " .. year .. " 年風險評估（期限 " .. tostring(due) .. "）",
                 status = "due-soon", due = due, row = asset }
        end
      end
    end
    if open == 0 and #assets > 0 then
      local next_due = dates.deadline(year + 1, params.due)
      flag { message = year .. " 年 " .. #assets .. " 項資產均已完成風險評估；下次應於 " .. tostring(next_due) .. " 前完成",
             status = "ok", due = next_due }
    end
  end,
}
