-- Duty: the e-mail administrator reviews e-mail accounts periodically (定期):
-- every params.interval_months, 12 by default.
local periodic = require "periodic"

return rule {
  id = "email-account-review",
  title = "定期清查電子郵件帳號",
  severity = "error",
  source = "資通安全管理法施行細則第 6 條（資通安全防護及控制措施：電子郵件安全）",
  plan = "controls/電子郵件",
  needs = { ["account-reviews"] = { "date", "kind" } },
  params = { interval_months = 12, window_days = 30, kind = "電子郵件帳號" },
  check = function(site, today, params, given)
    periodic.every { rows = site.registers["account-reviews"], today = today, months = params.interval_months,
                     window = params.window_days, activity = params.kind .. "清查", verb = "清查",
                     pred = function(r) return r.kind == params.kind end,
                     default = not given.interval_months }
  end,
}
