-- Duty: the security policy and goals are reviewed for fitness every year at the
-- management review, by params.due (10-31).
local dates = require "dates"
local periodic = require "periodic"

return rule {
  id = "plan-reviewed",
  title = "每年檢討資通安全政策及目標",
  severity = "error",
  source = "資通安全管理法施行細則第 6 條（資通安全政策及目標）",
  plan = "policy/檢討",
  needs = { ["management-reviews"] = { "date", "policy_reviewed" } },
  params = { due = "10-31", window_days = 30 },
  check = function(site, today, params)
    local reviews = site.registers["management-reviews"]
    local review = periodic.yearly {
      today = today, due = params.due, window = params.window_days, any = reviews[1] ~= nil,
      done = function(year)
        return reviews:find(function(r)
          return r.date and r.date.year == year and r.date <= today and r.policy_reviewed == true
        end)
      end,
      say = {
        overdue = function(year, d) return year .. " 年尚未於管理審查會議檢討資通安全政策及目標（應於 " .. tostring(d) .. " 前）" end,
        last_year = function(year, d) return year .. " 年未於管理審查會議檢討資通安全政策及目標（應於 " .. tostring(d) .. " 前）" end,
        pending = function(year, d) return year .. " 年之資通安全政策及目標應於 " .. tostring(d) .. " 前於管理審查會議檢討" end,
      },
    }
    if review then
      local next_due = dates.deadline(today.year + 1, params.due)
      flag { message = today.year .. " 年已於管理審查會議（" .. review._key .. "，" .. tostring(review.date)
               .. "）檢討資通安全政策及目標；下次應於 " .. tostring(next_due) .. " 前檢討",
             status = "ok", due = next_due, row = review }
    end
  end,
}
