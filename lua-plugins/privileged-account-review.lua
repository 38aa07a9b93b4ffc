-- Duty: device administrators review privileged accounts every quarter
-- (計畫 玖、二、(三)5). The last params.lookback_quarters (4) finished quarters
-- must each hold a review; the current one is due at its end.
local function quarter_of(d) return (d.month - 1) // 3 + 1 end
local function quarter_start(d) return date(d.year, (quarter_of(d) - 1) * 3 + 1, 1) end
local function quarter_name(d)
  local q = quarter_of(d)
  return d.year .. " 年第 " .. q .. " 季（" .. (q * 3 - 2) .. " 月至 " .. (q * 3) .. " 月）"
end

return rule {
  id = "privileged-account-review",
  title = "每季清查特權帳號",
  severity = "error",
  source = "計畫 玖、二、(三)5",
  check = function(site, today, params)
    local window = params.window_days or 30
    local kind = params.kind or "特權帳號"
    local section = params.section or "controls/privileged-accounts"
    local reviews = site.registers["account-reviews"]
    local function review_in(start)
      local stop = end_of_quarter(start)
      return reviews:find(function(r)
        return r.kind == kind and r.date and r.date >= start and r.date <= stop and r.date <= today
      end)
    end

    local current = quarter_start(today)
    for back = params.lookback_quarters or 4, 1, -1 do
      local start = add_months(current, -3 * back)
      if not review_in(start) then
        flag { message = quarter_name(start) .. "未辦理特權帳號清查", status = "missing",
               due = end_of_quarter(start), section = section }
      end
    end

    local due = end_of_quarter(today)
    local done = review_in(current)
    if done then
      local next_due = end_of_quarter(add_months(current, 3))
      flag { message = quarter_name(today) .. "已於 " .. tostring(done.date) .. " 清查特權帳號（" .. done.id
               .. "），下一季應於 " .. tostring(next_due) .. " 前清查", status = "ok", due = next_due, row = done }
    else
      flag { message = quarter_name(today) .. "之特權帳號清查尚未辦理，應於 " .. tostring(due) .. " 前完成",
             status = days_between(today, due) <= window and "due-soon" or "ok", due = due, section = section }
    end
  end,
}
