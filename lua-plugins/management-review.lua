-- Duty: the management review is held every year by params.due (10-31), and its
-- agenda covers params.agenda (the example plan's eight items).
local dates = require "dates"
local periodic = require "periodic"

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
  source = "資通安全管理法施行細則第 6 條（持續精進及績效管理機制）",
  plan = "continuous-improvement/持續精進",
  needs = { ["management-reviews"] = { "date", "agenda" } },
  params = { due = "10-31", window_days = 30, agenda = AGENDA },
  check = function(site, today, params)
    local reviews = site.registers["management-reviews"]
    local review, due = periodic.yearly {
      today = today, due = params.due, window = params.window_days, any = reviews[1] ~= nil,
      done = function(year)
        return reviews:find(function(r) return r.date and r.date.year == year and r.date <= today end)
      end,
      say = {
        overdue = function(year, d) return year .. " 年管理審查會議尚未召開（應於 " .. tostring(d) .. " 前召開）" end,
        last_year = function(year, d) return year .. " 年未召開管理審查會議（應於 " .. tostring(d) .. " 前召開）" end,
        pending = function(year, d) return year .. " 年管理審查會議應於 " .. tostring(d) .. " 前召開" end,
      },
    }
    if not review then return end
    local year = today.year
    local late = review.date > due
    if late then
      flag { message = year .. " 年管理審查會議於 " .. tostring(review.date) .. " 才召開（" .. review._key
               .. "），晚於期限 " .. tostring(due), status = "overdue", due = due, row = review }
    end
    local left_out = {}
    for i, item in ipairs(params.agenda) do
      if not covers(review.agenda, item) then left_out[#left_out + 1] = "（" .. i .. "）" .. item end
    end
    if #left_out > 0 then
      flag { message = review._key .. "（" .. tostring(review.date) .. "）之審查議題未包含" .. table.concat(left_out, "、"),
             status = "missing", row = review }
    end
    if not late and #left_out == 0 then
      local next_due = dates.deadline(year + 1, params.due)
      flag { message = year .. " 年管理審查會議已於 " .. tostring(review.date) .. " 召開（" .. review._key
               .. "），議題完整；下次應於 " .. tostring(next_due) .. " 前召開", status = "ok", due = next_due, row = review }
    end
  end,
}
