-- Duty: every year each information and system asset is inventoried with a
-- custodian, and hardware carries a label with its property number, custodian,
-- make and model (計畫 柒、一、1、3、4).
local function deadline(year, mmdd)
  local m, d = mmdd:match("^(%d+)-(%d+)$")
  return date(year, tonumber(m), tonumber(d))
end

return rule {
  id = "asset-inventory",
  title = "每年盤點資訊及資通系統資產",
  severity = "error",
  source = "計畫 柒、一",
  check = function(site, today, params)
    local mmdd = params.due or "12-31"
    local window = params.window_days or 30
    local labelled = {}
    for _, c in ipairs(params.label_classes or { "硬體資產" }) do labelled[c] = true end
    local year = today.year
    local due = deadline(year, mmdd)
    local assets = site.registers.assets
    local open, latest, faults = 0, nil, 0
    local function fault(f) faults = faults + 1; flag(f) end

    for _, a in ipairs(assets) do
      local name = a.id .. " " .. a.name
      if not a.custodian then
        fault { message = "資產 " .. name .. "未指定保管人", status = "missing", row = a }
      end
      if labelled[a.class] and a.label ~= true then
        fault { message = a.class .. " " .. name .. "未貼財產標籤（應標示財產編號、保管人、廠牌、型號）",
               status = "missing", row = a }
      end
      local when = a.inventoried
      if when and when <= today and when.year == year then
        if not latest or when > latest then latest = when end
      else
        open = open + 1
        local last_due = deadline(year - 1, mmdd)
        if not when or when > today then
          flag { message = "資產 " .. name .. "無盤點紀錄（應於 " .. tostring(due) .. " 前盤點）", status = "missing", due = due, row = a }
        elseif when.year < year - 1 and today > last_due then
          flag { message = "資產 " .. name .. "最近一次盤點為 " .. tostring(when) .. "，" .. (year - 1) .. " 年未盤點",
                 status = "overdue", due = last_due, row = a }
        elseif today > due then
          flag { message = "資產 " .. name .. "尚未辦理 " .. year .. " 年盤點（期限 " .. tostring(due) .. "）", status = "overdue", due = due, row = a }
        elseif days_between(today, due) <= window then
          flag { message = "資產 " .. name .. "尚未辦理 " .. year .. " 年盤點（期限 " .. tostring(due) .. "）", status = "due-soon", due = due, row = a }
        end
      end
    end
    if #assets == 0 then
      flag { message = "資產清冊沒有任何資產（應每年盤點並製作資產清冊）", status = "missing", due = due,
             section = params.section or "inventory/資訊及資通系統盤點" }
    elseif open == 0 and faults == 0 then
      local next_due = deadline(year + 1, mmdd)
      flag { message = "資產清冊 " .. #assets .. " 項資產均已於 " .. year .. " 年盤點（最近 " .. tostring(latest)
               .. "）；下次應於 " .. tostring(next_due) .. " 前盤點", status = "ok", due = next_due,
             section = params.section or "inventory/資訊及資通系統盤點" }
    end
  end,
}
