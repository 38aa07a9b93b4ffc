-- Duty: review the firewall policy periodically (定期): every
-- params.interval_months, 6 by default.
local periodic = require "periodic"

return rule {
  id = "firewall-review",
  title = "定期檢視防火牆政策",
  severity = "error",
  source = "資通安全管理法施行細則第 6 條（資通安全防護及控制措施：網路安全）",
  plan = "controls/網路安全",
  needs = { ["firewall-reviews"] = { "date" } },
  params = { interval_months = 6, window_days = 30 },
  check = function(site, today, params, given)
    periodic.every { rows = site.registers["firewall-reviews"], today = today, months = params.interval_months,
                     window = params.window_days, activity = "防火牆政策檢視", verb = "檢視",
                     default = not given.interval_months }
  end,
}
