-- Duty: the 推動小組 holds the yearly management review by the end of October,
-- and its agenda covers the eight items of 壹拾伍、三、2 (計畫 壹拾伍、三).
local AGENDA = {
  "過往管理審查議案之處理狀態",
  "與資通安全管理系統有關之內部及外部議題的變更",
  "資通安全維護計畫內容之適切性",
  "資通安全績效之回饋",
  "風險評鑑結果及風險處理計畫執行進度",
  "重大資通安全事件之處理及改善情形",
  "利害關係人之回饋",
  "持續改善之機會",
}

local function deadline(year, mmdd)
  local m, d = mmdd:match("^(%d+)-(%d+)$")
  return date(year, tonumber(m), tonumber(d))
end

local function covers(agenda, item)
  for _, entry in ipairs(agenda or {}) do
    if entry:find(item, 1, true) then return true end
  end
  return false
end

return rule {
  id = "management-review",
  title = "年度資通安全管理審查會議",
  severity = "error",
  source = "計畫 壹拾伍、三、1、2；資通安全管理法施行細則第 6 條第 1 項第 13 款",
  check = function(site, today, params)
    local mmdd = params.due or "10-31"
    local window = params.window_days or 30
    local agenda = params.agenda or AGENDA
    local section = params.section or "continuous-improvement/management-review"
    local reviews = site.registers["management-reviews"]
    local function held(year)
      return reviews:find(function(r) return r.date and r.date.year == year and r.date <= today end)
    end

    local year = today.year
    local due = deadline(year, mmdd)
    local review = held(year)
    if review then
      local late = review.date > due
      if late then
        flag { message = year .. " 年管理審查會議於 " .. tostring(review.date) .. " 才召開（" .. review.id
                 .. "），晚於期限 " .. tostring(due), status = "overdue", due = due, row = review }
      end
      local left_out = {}
      for i, item in ipairs(agenda) do
        if not covers(review.agenda, item) then left_out[#left_out + 1] = "（" .. i .. "）" .. item end
      end
      if #left_out > 0 then
        flag { message = review.id .. "（" .. tostring(review.date) .. "）之審查議題未包含" .. table.concat(left_out, "、"),
               status = "missing", row = review }
      end
      if not late and #left_out == 0 then
        local next_due = deadline(year + 1, mmdd)
        flag { message = year .. " 年管理審查會議已於 " .. tostring(review.date) .. " 召開（" .. review.id
                 .. "），議題完整；下次應於 " .. tostring(next_due) .. " 前召開", status = "ok", due = next_due, row = review }
      end
    elseif today > due then
      flag { message = year .. " 年管理審查會議尚未召開（應於 " .. tostring(due) .. " 前召開）",
             status = "overdue", due = due, section = section }
    elseif not held(year - 1) then
      local last_due = deadline(year - 1, mmdd)
      flag { message = (year - 1) .. " 年未召開管理審查會議（應於 " .. tostring(last_due) .. " 前召開）",
             status = reviews[1] and "overdue" or "missing", due = last_due, section = section }
    else
      flag { message = year .. " 年管理審查會議應於 " .. tostring(due) .. " 前召開", due = due, section = section,
             status = days_between(today, due) <= window and "due-soon" or "ok" }
    end
  end,
}
