-- Duty: yearly security training per person (計畫 壹拾參、一): 資通安全兼辦人員 6 h
-- of professional or competency courses, 資訊人員 6 h of professional courses,
-- general users and managers 3 h of general security training. params.required
-- maps a staff category to hours; params.kinds maps a category to the course
-- kinds that count (any kind when not given). A shortfall this year is flagged
-- in the last params.remind_days (60) before the year ends; last year's stays
-- flagged through the following year. Staff who have left are not counted.
local KINDS = {
  ["資通安全兼辦人員"] = { "資安專業課程訓練", "資安職能訓練" },
  ["資訊人員"] = { "資安專業課程訓練", "資安職能訓練" },
}
local ALIASES = { ["資安兼辦人員"] = "資通安全兼辦人員", ["資安兼任人員"] = "資通安全兼辦人員" }

return rule {
  id = "training-hours",
  title = "資通安全教育訓練時數",
  severity = "error",
  source = "計畫 壹拾參、一；資通安全責任等級分級辦法（D 級應辦事項）",
  check = function(site, today, params)
    local required = {}
    for category, hours in pairs(params.required or { ["資通安全兼辦人員"] = 6, ["資訊人員"] = 6, ["一般使用者"] = 3, ["主管"] = 3 }) do
      required[ALIASES[category] or category] = tonumber(hours)
    end
    local kinds = params.kinds or KINDS
    local remind = params.remind_days or 60
    local training = site.registers.training

    local function hours_of(person, year, category)
      local allowed = kinds[category]
      local total = 0
      for _, t in ipairs(training) do
        if t.person == person.id and t.date and t.date.year == year and t.date <= today then
          local counts = not allowed
          for _, k in ipairs(allowed or {}) do counts = counts or k == t.kind end
          if counts then total = total + (t.hours or 0) end
        end
      end
      return total
    end

    -- the worst shortfall over a person's categories, or nil when none
    local function shortfall(person, year)
      local worst
      for _, category in ipairs(person.categories or {}) do
        local need = required[ALIASES[category] or category]
        if need then
          local got = hours_of(person, year, ALIASES[category] or category)
          if got < need and (not worst or need - got > worst.need - worst.got) then
            worst = { category = category, need = need, got = got }
          end
        end
      end
      return worst
    end

    local function check_year(year, status)
      local due, met, short = date(year, 12, 31), 0, 0
      for _, p in ipairs(site.registers.staff) do
        -- those who joined by the year's end and have not left (nothing is left to do for a leaver)
        if not (p.joined and p.joined > due) and not (p.left and p.left <= today) then
          local s = shortfall(p, year)
          if s then
            short = short + 1
            if status then
              flag { message = p.name .. "（" .. p.id .. "，" .. s.category .. "）" .. year .. " 年資通安全教育訓練僅 "
                       .. s.got .. " 小時，未達每年 " .. s.need .. " 小時（尚缺 " .. (s.need - s.got) .. " 小時）",
                     status = status, due = due, row = p }
            end
          else
            met = met + 1
          end
        end
      end
      return met, short, due
    end

    local year = today.year
    local _, late = check_year(year - 1, "overdue")
    local this_due = date(year, 12, 31)
    local flagging = days_between(today, this_due) <= remind
    local met, short = check_year(year, flagging and "missing" or nil)
    if late > 0 or (flagging and short > 0) then return end
    flag { message = year .. " 年已有 " .. met .. " 人達到教育訓練時數要求" .. (short > 0 and ("，" .. short .. " 人尚未達到") or "")
             .. "（期限 " .. tostring(this_due) .. "）", status = "ok", due = this_due,
           section = params.section or "training/training-requirements" }
  end,
}
