-- Duty: system administrators review user accounts periodically, and the ID of a
-- user who no longer needs a system is disabled at once. A leaver counts as
-- handled when a review of params.kind accounts was held on or after the day he
-- or she left (when the school keeps a staff register with leaving dates).
-- The interval is the plan's choice (定期): params.interval_months, 6 by default.
local periodic = require "periodic"

return rule {
  id = "account-review",
  title = "定期清查使用者帳號及停用離職人員帳號",
  severity = "error",
  source = "資通安全管理法施行細則第 6 條（資通安全防護及控制措施：存取控制）",
  plan = "controls/權限管理",
  needs = {
    ["account-reviews"] = { "date", "kind" },
    ["staff?"] = { "name", "left", "title?" },
  },
  params = { interval_months = 6, window_days = 30, leaver_days = 0, kind = "一般帳號" },
  check = function(site, today, params, given)
    local kind = params.kind
    local reviews = site.registers["account-reviews"]:filter(function(r)
      return r.kind == kind and r.date and r.date <= today
    end)
    periodic.every { rows = reviews, today = today, months = params.interval_months,
                     window = params.window_days, activity = kind .. "清查", verb = "清查",
                     default = not given.interval_months }

    for _, person in ipairs(site.registers.staff) do
      if person.left and person.left <= today then
        local handled = reviews:find(function(r) return r.date >= person.left end)
        if not handled then
          local due = add_days(person.left, params.leaver_days)
          flag { message = (person.name or person._key) .. "（" .. person._key .. (person.title and ("，" .. person.title) or "")
                   .. "）已於 " .. tostring(person.left) .. " 離職，其後未辦理" .. kind .. "清查，無紀錄顯示其帳號已停用或移除",
                 status = today > due and "missing" or "due-soon", due = due, row = person }
        end
      end
    end
  end,
}
