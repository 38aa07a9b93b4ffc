-- Duty: the security policy and goals are publicised every year (by params.due)
-- to each audience: params.audiences, else the values the publicity register's
-- audience field offers (the example's 全體同仁 and 利害關係人).
local dates = require "dates"
local periodic = require "periodic"

return rule {
  id = "policy-publicised",
  title = "每年宣導資通安全政策及目標",
  severity = "error",
  source = "資通安全管理法施行細則第 6 條（資通安全政策及目標）",
  plan = "policy/宣導",
  needs = { publicity = { "date", "audience", "method?" } },
  params = { due = "12-31", window_days = 30, audiences = false },
  check = function(site, today, params)
    local publicity = site.registers.publicity
    local audiences = params.audiences or publicity.options.audience
    if not audiences then
      audiences = {}
      local seen = {}
      for _, r in ipairs(publicity) do
        if r.audience and not seen[r.audience] then seen[r.audience] = true; audiences[#audiences + 1] = r.audience end
      end
      if #audiences == 0 then audiences = { "全體同仁" } end
    end
    for _, audience in ipairs(audiences) do
      local function publicised(year)
        return periodic.latest(publicity, "date", today, function(r) return r.audience == audience and r.date.year == year end)
      end
      local done = periodic.yearly {
        today = today, due = params.due, window = params.window_days, any = true, done = publicised,
        say = {
          overdue = function(year, d) return year .. " 年尚未向" .. audience .. "宣導資通安全政策及目標（期限 " .. tostring(d) .. "）" end,
          last_year = function(year, d) return year .. " 年未向" .. audience .. "宣導資通安全政策及目標（期限 " .. tostring(d) .. "）" end,
          pending = function(year, d) return year .. " 年應於 " .. tostring(d) .. " 前向" .. audience .. "宣導資通安全政策及目標" end,
        },
      }
      if done then
        local next_due = dates.deadline(today.year + 1, params.due)
        flag { message = today.year .. " 年已向" .. audience .. "宣導資通安全政策及目標（" .. done._key .. "，"
                 .. tostring(done.date) .. (done.method and ("，" .. done.method) or "") .. "）", status = "ok", due = next_due, row = done }
      end
    end
  end,
}
