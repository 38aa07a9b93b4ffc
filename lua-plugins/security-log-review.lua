-- Duty: security devices' logs are backed up and reviewed regularly (定期):
-- every params.interval_months, 3 by default; the reviews of the last
-- params.lookback_months (12) must show the backup and the supervisor's check
-- (each when the register keeps that field).
local periodic = require "periodic"

return rule {
  id = "security-log-review",
  title = "資安設備日誌備份及定期檢視",
  severity = "error",
  source = "資通安全管理法施行細則第 6 條（資通安全防護及控制措施）",
  plan = "controls/防護設備",
  needs = { ["log-reviews"] = { "date", "period?", "backed_up?", "supervisor?" } },
  params = { interval_months = 3, window_days = 30, lookback_months = 12 },
  check = function(site, today, params, given)
    local since = add_months(today, -params.lookback_months)
    local reviews = site.registers["log-reviews"]
    for _, r in ipairs(reviews) do
      if r.date and r.date <= today and r.date >= since then
        if reviews.fields.backed_up and r.backed_up ~= true then
          flag { message = r._key .. "（" .. (r.period or tostring(r.date)) .. "）未備份資安設備日誌",
                 status = "missing", row = r }
        end
        if reviews.fields.supervisor and not r.supervisor then
          flag { message = r._key .. "（" .. (r.period or tostring(r.date)) .. "）之日誌檢視結果未經主管複核",
                 status = "missing", severity = "warning", row = r }
        end
      end
    end
    periodic.every { rows = reviews, today = today, months = params.interval_months, window = params.window_days,
                     activity = "資安設備日誌檢視", verb = "檢視", detail = function(r) return r.period end,
                     default = not given.interval_months }
  end,
}
