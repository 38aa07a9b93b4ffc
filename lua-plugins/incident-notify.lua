-- Duty: an incident is notified within params.notify_minutes (60) of awareness;
-- a level 1-2 incident is contained or recovered within params.contain_hours_low
-- (72) hours, a level 3-4 one within params.contain_hours_high (36); the
-- investigation, handling and improvement report follows within
-- params.report_months (1) of containment. Times are "HH:MM" text beside the
-- date fields (00:00 when the register keeps none).
-- Times count only when the register keeps all three (else whole days).
local timed = false
local function minutes(s)
  if not timed then return 0 end
  local h, m = (s or ""):match("^(%d+):(%d+)$")
  return h and tonumber(h) * 60 + tonumber(m) or 0
end

-- minutes from (d1, t1) to (d2, t2)
local function elapsed(d1, t1, d2, t2)
  return days_between(d1, d2) * 1440 + minutes(t2) - minutes(t1)
end

local people = require "people"

local function span(m)
  local h, rest = m // 60, m % 60
  if h == 0 then return rest .. " 分鐘" end
  return h .. " 小時" .. (rest > 0 and (" " .. rest .. " 分") or "")
end

return rule {
  id = "incident-notify",
  title = "資通安全事件通報及應變時限",
  severity = "error",
  source = "資通安全事件通報及應變辦法（知悉後 1 小時內通報；損害控制、復原及調查報告時限）",
  plan = "incident-response",
  needs = {
    incidents = { "aware", "level", "notified", "contained", "reported",
                  "aware_time?", "notified_time?", "contained_time?", "handler?" },
    ["staff?"] = { "name" },
  },
  params = { notify_minutes = 60, contain_hours_low = 72, contain_hours_high = 36, report_months = 1, window_days = 30 },
  check = function(site, today, params)
    local notify = params.notify_minutes
    local fields = site.registers.incidents.fields
    timed = fields.aware_time and fields.notified_time and fields.contained_time
    for _, inc in ipairs(site.registers.incidents) do
      local at = tostring(inc.aware) .. " " .. (inc.aware_time or "")
      local name = inc._key .. "（第 " .. tostring(inc.level) .. " 級，" .. at .. " 知悉）"
      local hours = (inc.level or 1) >= 3 and params.contain_hours_high or params.contain_hours_low
      local faults = 0
      local owner = inc.handler and people.name(site.registers.staff, inc.handler) or nil
      local function deadline(limit)
        return add_days(inc.aware, (minutes(inc.aware_time) + limit) // 1440)
      end

      -- notification
      if not inc.notified then
        faults = faults + 1
        flag { message = name .. "尚無通報紀錄（應於知悉後 " .. span(notify) .. "內通報）",
               status = "missing", due = deadline(notify), row = inc, owner = owner }
      else
        local took = elapsed(inc.aware, inc.aware_time, inc.notified, inc.notified_time)
        if took > notify then
          faults = faults + 1
          flag { message = name .. "於 " .. tostring(inc.notified) .. " " .. (inc.notified_time or "") .. " 才通報，歷時 "
                   .. span(took) .. "，逾知悉後 " .. span(notify) .. "內通報之時限",
                 status = "overdue", due = deadline(notify), row = inc, owner = owner }
        end
      end

      -- containment or recovery
      local contain_due = deadline(hours * 60)
      if not inc.contained then
        faults = faults + 1
        flag { message = name .. "尚未完成損害控制或復原（第 " .. tostring(inc.level) .. " 級應於知悉後 " .. hours .. " 小時內完成）",
               status = today > contain_due and "overdue" or "due-soon", due = contain_due, row = inc, owner = owner }
      else
        local took = elapsed(inc.aware, inc.aware_time, inc.contained, inc.contained_time)
        if took > hours * 60 then
          faults = faults + 1
          flag { message = name .. "於知悉後 " .. span(took) .. "才完成損害控制或復原，逾 " .. hours .. " 小時之時限",
                 status = "overdue", due = contain_due, row = inc, owner = owner }
        end
        -- the report, a month after containment
        local report_due = add_months(inc.contained, params.report_months)
        if not inc.reported then
          faults = faults + 1
          local status = today > report_due and "overdue"
            or (days_between(today, report_due) <= params.window_days and "due-soon" or "ok")
          flag { message = name .. "之調查、處理及改善報告應於 " .. tostring(report_due) .. " 前送交",
                 status = status, due = report_due, row = inc, owner = owner }
        elseif inc.reported > report_due then
          faults = faults + 1
          flag { message = name .. "之調查、處理及改善報告於 " .. tostring(inc.reported) .. " 才送交，逾 "
                   .. tostring(report_due) .. " 之期限", status = "overdue", due = report_due, row = inc, owner = owner }
        end
      end

      if faults == 0 then
        flag { message = name .. "：於 " .. span(elapsed(inc.aware, inc.aware_time, inc.notified, inc.notified_time))
                 .. "內通報，知悉後 " .. span(elapsed(inc.aware, inc.aware_time, inc.contained, inc.contained_time))
                 .. "完成損害控制，" .. tostring(inc.reported) .. " 送交報告", status = "ok", row = inc, owner = owner }
      end
    end
  end,
}
