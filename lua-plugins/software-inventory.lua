-- Duty: managers check the software installed on their devices periodically:
-- every params.interval_months (6: the example plan's 每半年).
local periodic = require "periodic"

return rule {
  id = "software-inventory",
  title = "定期辦理軟體清查",
  severity = "error",
  source = "資通安全管理法施行細則第 6 條（資通安全防護及控制措施：防範惡意軟體）",
  plan = "controls/惡意軟體",
  needs = { ["software-checks"] = { "date", "scope?" } },
  params = { interval_months = 6, window_days = 30 },
  check = function(site, today, params, given)
    periodic.every { rows = site.registers["software-checks"], today = today, months = params.interval_months,
                     window = params.window_days, activity = "軟體清查", verb = "清查",
                     detail = function(r) return r.scope end, default = not given.interval_months }
  end,
}
