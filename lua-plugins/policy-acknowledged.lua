-- Duty: every member of staff acknowledges having read the version of the plan in
-- force (its policy and goals): the plan publicises them to all staff (計畫 肆、四),
-- and a signed acknowledgement shows that the publicity reached each person. The law
-- sets no period: params.days (default 30) after the version's approval, or after
-- joining for those who join later; params.window_days (14) before that is due-soon.
-- Staff who have left are not counted. Severity warning: the acknowledgement is the
-- school's evidence of publicity, not a duty of its own in the plan or the law.

-- The registers and fields this rule reads, named once.
local READS = {
  acknowledgements = { register = "acknowledgements", person = "person", version = "version", date = "date" },
  staff = { register = "staff", name = "name", joined = "joined", left = "left" },
  revisions = { register = "revisions", version = "version", date = "date", status = "status", approved = "approved" },
}

return rule {
  id = "policy-acknowledged",
  title = "同仁確認閱讀現行計畫",
  severity = "warning",
  source = "計畫 肆、四（向機關內所有人員宣導資通安全政策及目標）",
  check = function(site, today, params)
    local days = params.days or 30
    local window = params.window_days or 14
    local A, S, R = READS.acknowledgements, READS.staff, READS.revisions

    -- The version in force: the last approved revision dated by today.
    local revisions = site.registers[R.register]
    local current
    for _, r in ipairs(revisions) do
      if r[R.status] == R.approved and r[R.date] and r[R.date] <= today then current = r end
    end
    if not current then return end -- plan-approved reports a plan that is not approved
    local version = current[R.version] or current[revisions.key]

    -- Each person's first acknowledgement of that version.
    local acked = {}
    for _, a in ipairs(site.registers[A.register]) do
      local who = a[A.person]
      if who and a[A.version] == version and a[A.date] and a[A.date] <= today
         and (not acked[who] or a[A.date] < acked[who][A.date]) then
        acked[who] = a
      end
    end

    local staff = site.registers[S.register]
    local done, pending = 0, 0
    for _, p in ipairs(staff) do
      local id = p[staff.key]
      local here = not (p[S.joined] and p[S.joined] > today) and not (p[S.left] and p[S.left] <= today)
      if here and acked[id] then
        done = done + 1
      elseif here then
        pending = pending + 1
        local start = current[R.date]
        local after = "核定"
        if p[S.joined] and p[S.joined] > start then start, after = p[S.joined], "到職" end
        local due = add_days(start, days)
        local who = (p[S.name] or id) .. "（" .. id .. "）"
        local status = "ok"
        if today > due then status = "overdue"
        elseif days_between(today, due) <= window then status = "due-soon" end
        flag { message = who .. "尚未確認閱讀計畫 " .. version .. "（應於" .. after .. "後 " .. days
                 .. " 日內，即 " .. tostring(due) .. " 前確認）", status = status, due = due, row = p }
      end
    end
    if done > 0 then
      flag { message = done .. " 位同仁已確認閱讀計畫 " .. version
               .. (pending > 0 and ("，" .. pending .. " 位尚未確認") or ""), status = "ok", row = current }
    end
  end,
}
