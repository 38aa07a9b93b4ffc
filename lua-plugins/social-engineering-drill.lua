-- Duty: hold (or join the supervising authority's) e-mail social-engineering drill
-- periodically (定期) and review the results: every params.interval_months, 6 by
-- default.
local periodic = require "periodic"

return rule {
  id = "social-engineering-drill",
  title = "定期辦理電子郵件社交工程演練",
  severity = "error",
  source = "資通安全責任等級分級辦法（應辦事項：資通安全教育訓練及社交工程演練）",
  plan = "controls/電子郵件",
  needs = { drills = { "date", "kind" } },
  params = { interval_months = 6, window_days = 30, kind = "社交工程演練" },
  check = function(site, today, params, given)
    periodic.every { rows = site.registers.drills, today = today, months = params.interval_months,
                     window = params.window_days, activity = params.kind, verb = "辦理",
                     pred = function(r) return r.kind == params.kind end,
                     default = not given.interval_months }
  end,
}
