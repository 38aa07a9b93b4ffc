-- Duty: the yearly security goals of the plan are met. Checked from the
-- registers the school keeps, for the current year to date (the defaults are the
-- example plan's goals; params set a school's own):
--   incidents: at most params.max_incidents_high of level 3-4, at most
--     params.max_incidents_low of level 1-2;
--   outages not caused by params.excluded_causes: at most params.max_outages,
--     none longer than the system's 最大可容忍中斷時間 (core and non-core
--     business `mtpd`, matched through the asset's name);
--   risk treatments and audit findings not closed by their due date: at most
--     params.max_risks_late and params.max_findings_late.
-- The incident register is needed; a goal whose other register the school does
-- not keep is said to be unchecked in the summary.

-- "4 工作小時", "8 小時", "2 天", "30 分鐘" -> minutes
local function mtpd_minutes(s)
  local n, unit = (s or ""):match("([%d%.]+)%s*(%S+)")
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
  source = "資通安全管理法施行細則第 6 條（資通安全政策及目標）",
  plan = "policy/目標",
  needs = {
    incidents = { "aware", "level" },
    ["outages?"] = { "system", "start", "minutes", "cause_kind" },
    ["core-business?"] = { "system", "mtpd" },
    ["non-core-business?"] = { "business", "mtpd" },
    ["assets?"] = { "name" },
    ["risks?"] = { "due", "closed" },
    ["audit-findings?"] = { "due", "closed" },
  },
  params = {
    excluded_causes = { "天災", "電力中斷", "火災" },
    max_incidents_high = 0, max_incidents_low = 2, max_outages = 5,
    max_risks_late = 2, max_findings_late = 2,
  },
  check = function(site, today, params)
    local year = today.year
    local R = site.registers
    local excluded = {}
    for _, c in ipairs(params.excluded_causes) do excluded[c] = true end
    local summary, missed, unchecked = {}, 0, {}
    local function miss(f) missed = missed + 1; flag(f) end

    -- incidents by level
    do
      local high, low = 0, 0
      for _, inc in ipairs(R.incidents) do
        if inc.aware and inc.aware.year == year and inc.aware <= today then
          if (inc.level or 0) >= 3 then high = high + 1 else low = low + 1 end
        end
      end
      if high > params.max_incidents_high then
        miss { message = year .. " 年發生 3、4 級資通安全事件 " .. high .. " 件（目標：不超過 " .. params.max_incidents_high .. " 件）", status = "missing" }
      end
      if low > params.max_incidents_low then
        miss { message = year .. " 年發生 1、2 級資通安全事件 " .. low .. " 件，超過目標之 " .. params.max_incidents_low .. " 件", status = "missing" }
      end
      summary[#summary + 1] = "3、4 級事件 " .. high .. " 件、1、2 級事件 " .. low .. " 件"
    end

    -- outages against the system's MTPD
    if R.outages.name then
      local mtpd = {}
      for _, r in ipairs(R["core-business"]) do mtpd[r.system] = r.mtpd end
      for _, r in ipairs(R["non-core-business"]) do mtpd[r.business] = r.mtpd end
      local outages = 0
      for _, o in ipairs(R.outages) do
        if o.start and o.start.year == year and o.start <= today and not excluded[o.cause_kind] then
          outages = outages + 1
          local asset = R.assets:get(o.system)
          local name = asset and asset.name or o.system
          local limit = mtpd_minutes(mtpd[name])
          if limit and o.minutes and o.minutes > limit then
            miss { message = o._key .. " " .. name .. "於 " .. tostring(o.start) .. " 中斷 " .. o.minutes .. " 分鐘（" .. hours(o.minutes)
                     .. "），超過其最大可容忍中斷時間 " .. mtpd[name], status = "overdue", row = o }
          end
        end
      end
      if outages > params.max_outages then
        miss { message = year .. " 年非" .. table.concat(params.excluded_causes, "、") .. "引起之服務中斷已 " .. outages
                 .. " 次，超過目標之 " .. params.max_outages .. " 次", status = "missing" }
      end
      summary[#summary + 1] = "服務中斷 " .. outages .. " 次"
    else
      unchecked[#unchecked + 1] = "服務中斷"
    end

    -- treatments and corrective actions not closed on time
    local function late(register, label, max)
      if not R[register].name then
        unchecked[#unchecked + 1] = label
        return
      end
      local keys = {}
      for _, r in ipairs(R[register]) do
        if r.due and r.due.year == year and r.due < today and (not r.closed or r.closed > r.due) then
          keys[#keys + 1] = r._key
        end
      end
      if #keys > max then
        miss { message = year .. " 年未能依" .. label .. "如期結案者 " .. #keys .. " 件（" .. table.concat(keys, "、")
                 .. "），超過目標之 " .. max .. " 件", status = "missing" }
      end
      summary[#summary + 1] = "未如期結案之" .. label .. " " .. #keys .. " 件"
    end
    late("risks", "風險處理計畫", params.max_risks_late)
    late("audit-findings", "矯正措施", params.max_findings_late)

    if missed > 0 then return end
    flag { message = year .. " 年資通安全目標（統計至 " .. tostring(today) .. "）：" .. table.concat(summary, "；")
             .. (#unchecked > 0 and ("；未登錄" .. table.concat(unchecked, "、") .. "紀錄，無法檢核相關目標") or ""),
           status = "ok" }
  end,
}
