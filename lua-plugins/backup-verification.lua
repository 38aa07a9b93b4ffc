-- Duty: the validity of important backups is confirmed every quarter, preferably
-- on a dedicated test system rather than by restoring onto the original device.
-- The last params.lookback_quarters finished quarters must each hold a test that
-- did not fail (result other than params.failed_result); a test restored onto
-- the original device is a warning.
local dates = require "dates"
local periodic = require "periodic"

return rule {
  id = "backup-verification",
  title = "每季確認重要資料備份之有效性",
  severity = "error",
  source = "資通安全管理法施行細則第 6 條（資通安全防護及控制措施：資料備份）",
  plan = "controls/備份",
  needs = { ["backup-tests"] = { "date", "result?", "tested_on_test_system?" } },
  params = { window_days = 30, failed_result = "失敗", lookback_quarters = 4 },
  check = function(site, today, params)
    local tests = site.registers["backup-tests"]
    local function tests_in(start, stop)
      return tests:filter(function(t) return t.date and t.date >= start and t.date <= stop and t.date <= today end)
    end
    -- a quarter's tests: warnings for any not run on a test system; the first that did not fail
    local warned = {}
    local function passed(start, stop)
      local good
      for _, t in ipairs(tests_in(start, stop)) do
        if t.tested_on_test_system == false and not warned[t] then
          warned[t] = true
          flag { message = t._key .. "（" .. tostring(t.date) .. "）直接還原至原設備，未於專屬測試系統上執行備份有效性測試",
                 status = "missing", severity = "warning", row = t }
        end
        if t.result ~= params.failed_result and not good then good = t end
      end
      return good
    end
    periodic.quarterly {
      today = today, window = params.window_days, lookback = params.lookback_quarters,
      activity = "重要資料備份有效性測試", did = "完成備份有效性測試", verb = "測試",
      done = passed,
      any = function(start, stop) return tests_in(start, stop)[1] end,
      missing = function(start)
        local any = tests_in(start, end_of_quarter(start))[1]
        return dates.quarter_name(start) .. (any and "之備份有效性測試均失敗，未能確認備份有效" or "未辦理重要資料備份有效性測試")
      end,
    }
  end,
}
