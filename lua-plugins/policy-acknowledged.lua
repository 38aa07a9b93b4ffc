-- Duty: every member of staff acknowledges having read the version of the plan in
-- force, its policy and goals: the plan makes them known to all staff, and a signed
-- acknowledgement shows that this reached each person. The law sets no period:
-- params.days after the version's approval (or after joining, for those who join
-- later), due-soon within params.window_days of that. Staff who have left are not
-- counted. A staff register that keeps no joining dates cannot tell a newcomer from
-- someone who was there at the approval: only those who acknowledged an earlier
-- version are then known to have been there; the others are counted, not flagged.
-- Severity warning: the acknowledgement is the school's evidence of publicity, not a
-- duty of its own.
local people = require "people"

return rule {
  id = "policy-acknowledged",
  title = "同仁確認閱讀現行計畫",
  severity = "warning",
  source = "資通安全管理法施行細則第 6 條（資通安全政策及目標之宣導）",
  plan = "policy/宣導",
  -- the registers and fields it reads, named once
  needs = {
    acknowledgements = { "person", "version", "date" },
    staff = { "name", "joined?", "left?" },
    revisions = { "version", "date", "status" },
  },
  params = { days = 30, window_days = 14, approved = "approved" },
  check = function(site, today, params)
    -- The version in force: the last approved revision dated by today.
    local current
    for _, r in ipairs(site.registers.revisions) do
      if r.status == params.approved and r.date and r.date <= today then current = r end
    end
    if not current then return end -- plan-approved reports a plan that is not approved
    local version = current.version or current._key

    -- Each person's first acknowledgement of that version, and who acknowledged
    -- another one before it was approved (so was there when it was).
    local acked, before = {}, {}
    for _, a in ipairs(site.registers.acknowledgements) do
      local who = a.person
      if who and a.version == version and a.date and a.date <= today
         and (not acked[who] or a.date < acked[who].date) then
        acked[who] = a
      elseif who and a.version ~= version and a.date and a.date < current.date then
        before[who] = true
      end
    end

    local staff = site.registers.staff
    local done, pending, unknown = 0, 0, 0
    for _, p in ipairs(staff) do
      local here = not (p.joined and p.joined > today) and people.active(p, today)
      local start, after
      if p.joined and p.joined > current.date then start, after = p.joined, "到職"
      elseif staff.fields.joined or before[p._key] then start, after = current.date, "核定" end
      if here and acked[p._key] then
        done = done + 1
      elseif here and not start then
        unknown = unknown + 1
      elseif here then
        pending = pending + 1
        local due = add_days(start, params.days)
        local status = "ok"
        if today > due then status = "overdue"
        elseif days_between(today, due) <= params.window_days then status = "due-soon" end
        flag { message = (p.name or p._key) .. "（" .. p._key .. "）尚未確認閱讀計畫 " .. version .. "（應於"
                 .. after .. "後 " .. params.days .. " 日內，即 " .. tostring(due) .. " 前確認）",
               status = status, due = due, row = p, owner = p.name }
      end
    end
    if done > 0 or unknown > 0 then
      flag { message = done .. " 位同仁已確認閱讀計畫 " .. version
               .. (pending > 0 and ("，" .. pending .. " 位尚未確認") or "")
               .. (unknown > 0 and ("，" .. unknown .. " 位尚未確認但人員名冊未記錄到職日期，無法判定其確認期限") or ""),
             status = "ok", row = current }
    end
  end,
}
