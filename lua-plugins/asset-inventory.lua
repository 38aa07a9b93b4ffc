-- Duty: every year each information and system asset is inventoried with a
-- custodian, and hardware carries a label with its property number, custodian,
-- make and model. The classes that need labels are params.label_classes; the
-- label check runs when the asset register keeps the label field.
local dates = require "dates"
local people = require "people"
local text = require "text"

return rule {
  id = "asset-inventory",
  title = "每年盤點資訊及資通系統資產",
  severity = "error",
  source = "資通安全管理法施行細則第 6 條（資訊及資通系統之盤點）",
  plan = "inventory/盤點",
  needs = {
    assets = { "name", "inventoried", "custodian", "class?", "label?" },
    ["staff?"] = { "name" },
  },
  params = { due = "12-31", window_days = 30, label_classes = { "硬體資產" } },
  check = function(site, today, params)
    local window = params.window_days
    local labelled = {}
    for _, c in ipairs(params.label_classes) do labelled[c] = true end
    local year = today.year
    local due = dates.deadline(year, params.due)
    local assets = site.registers.assets
    local labels = assets.fields.label and assets.fields.class
    local open, latest, faults = 0, nil, 0
    local function fault(f) faults = faults + 1; flag(f) end

    for _, a in ipairs(assets) do
      local name = text.row_name(a, a.name)
      local owner = a.custodian and people.name(site.registers.staff, a.custodian) or nil
      if not a.custodian then
        fault { message = "資產 " .. name .. "未指定保管人", status = "missing", row = a, owner = owner }
      end
      if labels and labelled[a.class] and a.label ~= true then
        fault { message = a.class .. " " .. name .. "未貼財產標籤（應標示財產編號、保管人、廠牌、型號）",
               status = "missing", row = a, owner = owner }
      end
      local when = a.inventoried
      if when and when <= today and when.year == year then
        if not latest or when > latest then latest = when end
      else
        open = open + 1
        local last_due = dates.deadline(year - 1, params.due)
        if not when or when > today then
          flag { message = "資產 " .. name .. "無盤點紀錄（應於 " .. tostring(due) .. " 前盤點）", status = "missing", due = due, row = a, owner = owner }
        elseif when.year < year - 1 and today > last_due then
          flag { message = "資產 " .. name .. "最近一次盤點為 " .. tostring(when) .. "，" .. (year - 1) .. " 年未盤點",
                 status = "overdue", due = last_due, row = a, owner = owner }
        elseif today > due then
          flag { message = "資產 " .. name .. "尚未辦理 " .. year .. " 年盤點（期限 " .. tostring(due) .. "）", status = "overdue", due = due, row = a, owner = owner }
        elseif days_between(today, due) <= window then
          flag { message = "資產 " .. name .. "尚未辦理 " .. year .. " 年盤點（期限 " .. tostring(due) .. "）", status = "due-soon", due = due, row = a, owner = owner }
        end
      end
    end
    if #assets == 0 then
      flag { message = "資產清冊沒有任何資產（應每年盤點並製作資產清冊）", status = "missing", due = due }
    elseif open == 0 and faults == 0 then
      local next_due = dates.deadline(year + 1, params.due)
      flag { message = "資產清冊 " .. #assets .. " 項資產均已於 " .. year .. " 年盤點（最近 " .. tostring(latest)
               .. "）；下次應於 " .. tostring(next_due) .. " 前盤點"
               .. (labels and "" or "（資產清冊未登錄標籤，未檢查財產標籤）"), status = "ok", due = next_due }
    end
  end,
}
