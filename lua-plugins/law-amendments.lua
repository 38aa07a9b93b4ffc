-- Check on the plan: the version in force should postdate the amendments of the
-- law it rests on. The defaults are the 2021-08-23 amendments of the 施行細則,
-- the 分級辦法 (with its annex tables) and the 通報及應變辦法, and the 2025
-- rewrite of the Act (promulgated 2025-09-24, in force 2025-12-01, with new
-- article numbers and 數位發展部 as the competent authority). params.amendments
-- replaces the list: [{ date: YYYY-MM-DD (in force), name: ... }].
local AMENDMENTS = {
  { date = "2021-08-23", name = "2021-08-23 修正發布之資通安全管理法施行細則、資通安全責任等級分級辦法（含附表）及資通安全事件通報及應變辦法" },
  { date = "2025-12-01", name = "資通安全管理法全文修正（2025-09-24 公布、2025-12-01 施行；條次變更，主管機關為數位發展部）" },
}

-- "早於 2021-08-23 …" but "早於資通安全管理法…"
local function spaced(s) return (s:find("^%d") and " " or "") .. s end

return rule {
  id = "law-amendments",
  title = "計畫版本與法規修正",
  severity = "warning",
  source = "資通安全管理法（2025 年修正）；施行細則、資通安全責任等級分級辦法、資通安全事件通報及應變辦法（2021-08-23 修正）",
  plan = "basis",
  needs = { revisions = { "version", "date" } },
  params = { window_days = 30, amendments = AMENDMENTS },
  check = function(site, today, params)
    local revisions = site.registers.revisions
    local row = revisions[#revisions]
    if not row or not row.date then return end -- plan-approved reports a missing version or date
    local rev = { version = row.version or row._key, date = row.date }
    local name = "計畫現行版本 " .. tostring(rev.version) .. "（" .. tostring(rev.date) .. "）"
    local older = 0
    for _, a in ipairs(params.amendments) do
      local in_force = type(a.date) == "string" and parse_date(a.date) or a.date
      if rev.date < in_force then
        older = older + 1
        if today >= in_force then
          flag { message = name .. "早於" .. spaced(a.name) .. "，應檢討修訂計畫", status = "overdue", due = in_force, row = row }
        else
          flag { message = name .. "早於將於 " .. tostring(in_force) .. " 施行之" .. a.name .. "，應於施行前檢討修訂計畫", due = in_force, row = row,
                 status = days_between(today, in_force) <= params.window_days and "due-soon" or "ok" }
        end
      end
    end
    if older == 0 then
      flag { message = name .. "晚於已知之各項法規修正", status = "ok", row = row }
    end
  end,
}
