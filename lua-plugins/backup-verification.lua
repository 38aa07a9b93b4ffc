-- Duty: the validity of important backups is confirmed every quarter, preferably
-- on a dedicated test system rather than by restoring onto the original device
-- (計畫 玖、三、(五)2). The last params.lookback_quarters (4) finished quarters
-- must each hold a test that did not fail; a test restored onto the original
-- device is a warning.
local function quarter_of(d) return (d.month - 1) // 3 + 1 end
local function quarter_start(d) return date(d.year, (quarter_of(d) - 1) * 3 + 1, 1) end
local function quarter_name(d)
  local q = quarter_of(d)
  return d.year .. " 年第 " .. q .. " 季（" .. (q * 3 - 2) .. " 月至 " .. (q * 3) .. " 月）"
end

return rule {
  id = "backup-verification",
  title = "每季確認重要資料備份之有效性",
  severity = "error",
  source = "計畫 玖、三、(五)2",
  check = function(site, today, params)
    local window = params.window_days or 30
    local section = params.section or "controls/backup"
    local failed = params.failed_result or "失敗"
    local tests = site.registers["backup-tests"]
    local function tests_in(start)
      local stop = end_of_quarter(start)
      return tests:filter(function(t) return t.date and t.date >= start and t.date <= stop and t.date <= today end)
    end
    -- a quarter's tests: warnings for any not run on a test system; the first that did not fail
    local function review(start)
      local passed
      for _, t in ipairs(tests_in(start)) do
        if t.tested_on_test_system == false then
          flag { message = t.id .. "（" .. tostring(t.date) .. "）直接還原至原設備，未於專屬測試系統上執行備份有效性測試",
                 status = "missing", severity = "warning", row = t }
        end
        if t.result ~= failed and not passed then passed = t end
      end
      return passed
    end

    local current = quarter_start(today)
    for back = params.lookback_quarters or 4, 1, -1 do
      local start = add_months(current, -3 * back)
      if not review(start) then
        local any = tests_in(start)[1]
        flag { message = quarter_name(start) .. (any and "之備份有效性測試均失敗，未能確認備份有效"
                                                     or "未辦理重要資料備份有效性測試"),
               status = "missing", due = end_of_quarter(start), row = any, section = section }
      end
    end

    local due = end_of_quarter(today)
    local done = review(current)
    if done then
      local next_due = end_of_quarter(add_months(current, 3))
      flag { message = quarter_name(today) .. "已於 " .. tostring(done.date) .. " 完成備份有效性測試（" .. done.id
               .. "），下一季應於 " .. tostring(next_due) .. " 前測試", status = "ok", due = next_due, row = done }
    else
      flag { message = quarter_name(today) .. "之備份有效性測試尚未辦理，應於 " .. tostring(due) .. " 前完成",
             status = days_between(today, due) <= window and "due-soon" or "ok", due = due, section = section }
    end
  end,
}
