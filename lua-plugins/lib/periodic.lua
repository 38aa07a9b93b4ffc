-- The periodic duties rules check (require "periodic"): a duty repeated
-- every so many months since it was last done, a duty done once a year by a
-- deadline, and a duty done every quarter.
local dates = require "dates"
local M = {}

-- the row of rows with the latest date in field, on or before today, that
-- pred (optional) accepts
function M.latest(rows, field, today, pred)
  local last
  for _, r in ipairs(rows) do
    local d = r[field]
    if d and d <= today and (not pred or pred(r)) and (not last or d > last[field]) then last = r end
  end
  return last
end

-- A duty done every t.months months (t.rows, t.field (date), t.today,
-- t.window, t.pred optional). Wording: t.activity ("防火牆政策檢視"), t.verb
-- ("檢視"), t.detail(row) (optional, after the key). t.default: the interval is
-- the rule's default, not the law (the messages say so). Without any row the
-- flag sits at the rule's plan section (t.place, optional). Returns the last row.
function M.every(t)
  local default = "預設週期，非法定，可於 site.yaml 之 rules 調整"
  local note = t.default and ("（每 " .. t.months .. " 個月為" .. default .. "）") or ""
  local last = M.latest(t.rows, t.field or "date", t.today, t.pred)
  if not last then
    flag { message = "查無" .. t.activity .. "紀錄（應每 " .. t.months .. " 個月" .. t.verb .. "一次"
             .. (t.default and ("；" .. default) or "") .. "）", status = "missing" }
    return nil
  end
  local when = last[t.field or "date"]
  local due = add_months(when, t.months)
  local detail = t.detail and t.detail(last)
  local done = "最近一次" .. t.activity .. "於 " .. tostring(when) .. "（" .. last._key
    .. (detail and detail ~= "" and ("，" .. detail) or "") .. "）"
  if t.today > due then
    flag { message = done .. "，已逾每 " .. t.months .. " 個月" .. t.verb .. "一次之期限 " .. tostring(due) .. note,
           status = "overdue", due = due, row = last }
  else
    flag { message = done .. "，下次應於 " .. tostring(due) .. " 前" .. t.verb, due = due, row = last,
           status = dates.soon(t.today, due, t.window) }
  end
  return last
end

-- A duty done once a year by t.due ("MM-DD"): t.done(year) gives the row
-- that did it, if any. When this year's is done, returns it and the
-- deadline (the rule flags that case itself); otherwise flags: overdue past
-- the deadline, last year's missing, or pending. t.say = { overdue(year,
-- due), last_year(year, due), pending(year, due) } words each; t.any: the
-- register has any rows (else last year's is "missing", not "overdue").
function M.yearly(t)
  local year = t.today.year
  local due = dates.deadline(year, t.due)
  local row = t.done(year)
  if row then return row, due end
  if t.today > due then
    flag { message = t.say.overdue(year, due), status = "overdue", due = due }
  elseif not t.done(year - 1) then
    local last_due = dates.deadline(year - 1, t.due)
    flag { message = t.say.last_year(year - 1, last_due), status = t.any and "overdue" or "missing", due = last_due }
  else
    flag { message = t.say.pending(year, due), due = due, status = dates.soon(t.today, due, t.window) }
  end
  return nil, due
end

-- A duty done every quarter: each of the t.lookback finished quarters must
-- hold a row t.done(start, stop) accepts, and the current one is due at its
-- end. Wording: t.activity ("特權帳號清查"), t.did ("清查特權帳號"), t.verb
-- ("清查"). t.missing(start) may word a quarter that lacks one, and
-- t.any(start, stop) give a row of that quarter to flag. Returns the current
-- quarter's row, if done.
function M.quarterly(t)
  local current = dates.quarter_start(t.today)
  for back = t.lookback, 1, -1 do
    local start = add_months(current, -3 * back)
    local stop = end_of_quarter(start)
    if not t.done(start, stop) then
      flag { message = t.missing and t.missing(start) or (dates.quarter_name(start) .. "未辦理" .. t.activity),
             status = "missing", due = stop, row = t.any and t.any(start, stop) or nil }
    end
  end
  local due = end_of_quarter(t.today)
  local done = t.done(current, due)
  if done then
    local next_due = end_of_quarter(add_months(current, 3))
    flag { message = dates.quarter_name(t.today) .. "已於 " .. tostring(done.date) .. " " .. t.did .. "（" .. done._key
             .. "），下一季應於 " .. tostring(next_due) .. " 前" .. t.verb, status = "ok", due = next_due, row = done }
  else
    flag { message = dates.quarter_name(t.today) .. "之" .. t.activity .. "尚未辦理，應於 " .. tostring(due) .. " 前完成",
           status = dates.soon(t.today, due, t.window), due = due }
  end
  return done
end

return M
