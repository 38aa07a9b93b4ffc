-- Duty: the yearly security goals of 肆、二 are met. Checked from the registers,
-- for the current year to date:
--   goal 1: no level 3-4 incidents, at most 2 of level 1-2;
--   goal 3: at most 5 outages of internet services not caused by natural
--           disaster, power failure or fire, none longer than the system's
--           最大可容忍中斷時間 (core-business / non-core-business `mtpd`);
--   goal 6: at most 2 risk treatments not closed by their due date;
--   goal 7: at most 2 audit findings not closed by their due date.
-- Goals 2, 4 and 5 have no register to check.

-- "4 工作小時", "8 小時", "2 天", "30 分鐘" -> minutes
local function mtpd_minutes(text)
  local n, unit = (text or ""):match("([%d%.]+)%s*(%S+)")
  n = tonumber(n)
  if not n then return nil end
  if unit:find("分", 1, true) then return n end
  if unit:find("天", 1, true) or unit:find("日", 1, true) then return n * 1440 end
  if unit:find("時", 1, true) then return n * 60 end
  return nil
end

local function hours(m)
  return (m % 60 == 0) and (m // 60 .. " 小時") or (m .. " 分鐘")
end

return rule {
  id = "goals-met",
  title = "資通安全目標達成情形",
  severity = "error",
  source = "計畫 肆、二",
  check = function(site, today, params)
    local year = today.year
    local section = params.section or "policy/goals"
    local excluded = {}
    for _, c in ipairs(params.excluded_causes or { "天災", "電力中斷", "火災" }) do excluded[c] = true end
    local summary, missed = {}, 0
    local function miss(f) missed = missed + 1; flag(f) end

    -- goal 1: incidents by level
    local high, low = 0, 0
    for _, inc in ipairs(site.registers.incidents) do
      if inc.aware and inc.aware.year == year and inc.aware <= today then
        if (inc.level or 0) >= 3 then high = high + 1 else low = low + 1 end
      end
    end
    local max_high, max_low = params.max_incidents_high or 0, params.max_incidents_low or 2
    if high > max_high then
      miss { message = year .. " 年發生 3、4 級資通安全事件 " .. high .. " 件（目標 1：不得發生）", status = "missing", section = section }
    end
    if low > max_low then
      miss { message = year .. " 年發生 1、2 級資通安全事件 " .. low .. " 件，超過目標 1 之 " .. max_low .. " 件", status = "missing", section = section }
    end
    summary[#summary + 1] = "3、4 級事件 " .. high .. " 件、1、2 級事件 " .. low .. " 件"

    -- goal 3: outages against the system's MTPD
    local mtpd = {}
    for _, r in ipairs(site.registers["core-business"]) do mtpd[r.system] = r.mtpd end
    for _, r in ipairs(site.registers["non-core-business"]) do mtpd[r.business] = r.mtpd end
    local outages = 0
    for _, o in ipairs(site.registers.outages) do
      if o.start and o.start.year == year and o.start <= today and not excluded[o.cause_kind] then
        outages = outages + 1
        local asset = site.registers.assets:find(function(a) return a.id == o.system end)
        local name = asset and asset.name or o.system
        local limit = mtpd_minutes(mtpd[name])
        if limit and o.minutes and o.minutes > limit then
          miss { message = o.id .. " " .. name .. "於 " .. tostring(o.start) .. " 中斷 " .. o.minutes .. " 分鐘（" .. hours(o.minutes)
                   .. "），超過其最大可容忍中斷時間 " .. mtpd[name] .. "（目標 3）", status = "overdue", row = o }
        end
      end
    end
    local max_outages = params.max_outages or 5
    if outages > max_outages then
      miss { message = year .. " 年非天災、電力中斷、火災引起之服務中斷已 " .. outages .. " 次，超過目標 3 之 " .. max_outages .. " 次",
             status = "missing", section = section }
    end
    summary[#summary + 1] = "服務中斷 " .. outages .. " 次"

    -- goals 6 and 7: treatments and corrective actions not closed on time
    local function late(register, label, goal, max)
      local ids = {}
      for _, r in ipairs(site.registers[register]) do
        if r.due and r.due.year == year and r.due < today and (not r.closed or r.closed > r.due) then
          ids[#ids + 1] = r.id
        end
      end
      if #ids > max then
        miss { message = year .. " 年未能依" .. label .. "如期結案者 " .. #ids .. " 件（" .. table.concat(ids, "、")
                 .. "），超過目標 " .. goal .. " 之 " .. max .. " 件", status = "missing", section = section }
      end
      summary[#summary + 1] = "未如期結案之" .. label .. " " .. #ids .. " 件"
    end
    late("risks", "風險處理計畫", 6, params.max_risks_late or 2)
    late("audit-findings", "矯正措施", 7, params.max_findings_late or 2)

    if missed > 0 then return end
    flag { message = year .. " 年資通安全目標（統計至 " .. tostring(today) .. "）：" .. table.concat(summary, "；"),
           status = "ok", section = section }
  end,
}
