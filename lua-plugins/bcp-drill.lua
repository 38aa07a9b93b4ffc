-- Duty: a business-continuity plan for internet services, drilled periodically:
-- every params.interval_months (24: the example plan's 每二年).
local periodic = require "periodic"

return rule {
  id = "bcp-drill",
  title = "定期辦理業務持續運作演練",
  severity = "error",
  source = "資通安全管理法施行細則第 6 條（資通安全事件通報、應變及演練相關機制）",
  plan = "controls/業務持續運作",
  needs = { drills = { "date", "kind" } },
  params = { interval_months = 24, window_days = 30, kind = "業務持續運作演練" },
  check = function(site, today, params, given)
    periodic.every { rows = site.registers.drills, today = today, months = params.interval_months,
                     window = params.window_days, activity = params.kind, verb = "辦理",
                     pred = function(r) return r.kind == params.kind end,
                     default = not given.interval_months }
  end,
}
