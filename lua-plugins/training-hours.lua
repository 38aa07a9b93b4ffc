-- Duty: yearly security training per person. params.required maps a role of
-- the staff register to the hours it needs a year (the example plan's 資通安全
-- 兼辦人員 6 h of professional or competency courses, 資訊人員 6 h of
-- professional courses, general users and managers 3 h); params.kinds maps a
-- role to the course kinds that count (any kind when not given, or when the
-- training register keeps no kind). params.aliases maps other spellings of a
-- role to the one params.required uses. A shortfall this year is "missing" in
-- the last params.remind_days before the year ends and "ok" (still time) before
-- them, so the staff digest can say who still owes hours all year; last year's
-- stays flagged through the following year. Staff who have left are not counted.
local people = require "people"

return rule {
  id = "training-hours",
  title = "資通安全教育訓練時數",
  severity = "error",
  source = "資通安全責任等級分級辦法（應辦事項：資通安全教育訓練）",
  plan = "training/要求",
  needs = {
    staff = { "name", "categories", "left", "joined?" },
    training = { "person", "date", "hours", "kind?" },
  },
  params = {
    required = { ["資通安全兼辦人員"] = 6, ["資訊人員"] = 6, ["一般使用者"] = 3, ["主管"] = 3 },
    kinds = {
      ["資通安全兼辦人員"] = { "資安專業課程訓練", "資安職能訓練" },
      ["資訊人員"] = { "資安專業課程訓練", "資安職能訓練" },
    },
    aliases = { ["資安兼辦人員"] = "資通安全兼辦人員", ["資安兼任人員"] = "資通安全兼辦人員" },
    remind_days = 60,
  },
  check = function(site, today, params)
    local aliases = params.aliases
    local required = {}
    for role, hours in pairs(params.required) do required[aliases[role] or role] = tonumber(hours) end
    local training = site.registers.training
    local kinds = training.fields.kind and params.kinds or {}

    local function hours_of(person, year, role)
      local allowed = kinds[role]
      local total = 0
      for _, t in ipairs(training) do
        if t.person == person._key and t.date and t.date.year == year and t.date <= today then
          local counts = not allowed
          for _, k in ipairs(allowed or {}) do counts = counts or k == t.kind end
          if counts then total = total + (t.hours or 0) end
        end
      end
      return total
    end

    -- the worst shortfall over a person's roles, or nil when none
    local function shortfall(person, year)
      local worst
      for _, role in ipairs(person.categories or {}) do
        local name = aliases[role] or role
        local need = required[name]
        if need then
          local got = hours_of(person, year, name)
          if got < need and (not worst or need - got > worst.need - worst.got) then
            worst = { role = role, need = need, got = got }
          end
        end
      end
      return worst
    end

    local function check_year(year, status)
      local due, met, short = date(year, 12, 31), 0, 0
      for _, p in ipairs(site.registers.staff) do
        -- those who joined by the year's end and have not left (nothing is left to do for a leaver)
        if not (p.joined and p.joined > due) and people.active(p, today) then
          local s = shortfall(p, year)
          if s then
            short = short + 1
            if status then
              flag { message = p.name .. "（" .. p._key .. "，" .. s.role .. "）" .. year .. " 年資通安全教育訓練僅 "
                       .. s.got .. " 小時，未達每年 " .. s.need .. " 小時（尚缺 " .. (s.need - s.got) .. " 小時）",
                     status = status, due = due, row = p, owner = p.name }
            end
          else
            met = met + 1
          end
        end
      end
      return met, short, due
    end

    local year = today.year
    -- last year's hours are owed only by those known to have been there: with
    -- no joining dates, only this year is checked
    local late = 0
    if site.registers.staff.fields.joined then _, late = check_year(year - 1, "overdue") end
    local this_due = date(year, 12, 31)
    local flagging = days_between(today, this_due) <= params.remind_days
    local met, short = check_year(year, flagging and "missing" or "ok")
    if late > 0 or (flagging and short > 0) then return end
    flag { message = year .. " 年已有 " .. met .. " 人達到教育訓練時數要求" .. (short > 0 and ("，" .. short .. " 人尚未達到") or "")
             .. "（期限 " .. tostring(this_due) .. "）", status = "ok", due = this_due }
  end,
}
