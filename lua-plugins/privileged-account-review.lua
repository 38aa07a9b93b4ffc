-- Duty: device administrators review privileged accounts every quarter. The last
-- params.lookback_quarters (4) finished quarters must each hold a review of
-- params.kind accounts; the current one is due at its end.
local periodic = require "periodic"

return rule {
  id = "privileged-account-review",
  title = "每季清查特權帳號",
  severity = "error",
  source = "資通安全管理法施行細則第 6 條（資通安全防護及控制措施：存取控制）",
  plan = "controls/特權帳號",
  needs = { ["account-reviews"] = { "date", "kind" } },
  params = { window_days = 30, kind = "特權帳號", lookback_quarters = 4 },
  check = function(site, today, params)
    local reviews = site.registers["account-reviews"]
    periodic.quarterly {
      today = today, window = params.window_days, lookback = params.lookback_quarters,
      activity = params.kind .. "清查", did = "清查" .. params.kind, verb = "清查",
      done = function(start, stop)
        return reviews:find(function(r)
          return r.kind == params.kind and r.date and r.date >= start and r.date <= stop and r.date <= today
        end)
      end,
    }
  end,
}
