-- Duty: the 資通安全推動小組 roster lists its members and duties for each group
-- (策略規劃組、資安防護組、績效管理組) and is kept up to date (計畫 伍、二、(二)).
return rule {
  id = "committee-roster",
  title = "資通安全推動小組成員及分工表",
  severity = "error",
  source = "計畫 伍、二、(二)；附件 資通安全推動小組成員及分工表",
  check = function(site, today, params)
    local section = params.section or "organization/分工及職掌"
    local staff = site.registers.staff
    local function person(id) return staff:find(function(p) return p.id == id end) end
    local counts, faults = {}, 0
    for _, group in ipairs(params.groups or { "策略規劃組", "資安防護組", "績效管理組" }) do
      local active = 0
      for _, m in ipairs(site.registers.committee) do
        if m.group == group then
          local p = person(m.member)
          if p and p.left and p.left <= today then
            flag { message = group .. "成員 " .. p.name .. "（" .. p.id .. "）已於 " .. tostring(p.left)
                     .. " 離職，推動小組名冊應更新", status = "overdue", severity = "warning", due = p.left, row = m }
            faults = faults + 1
          elseif not m.duties then
            flag { message = "推動小組名冊 " .. m.id .. "（" .. group .. " " .. (p and p.name or m.member) .. "）未載明職掌",
                   status = "missing", row = m }
            faults = faults + 1
            active = active + 1
          else
            active = active + 1
          end
        end
      end
      if active == 0 then
        flag { message = "資通安全推動小組名冊沒有" .. group .. "之在職成員", status = "missing", section = section }
        faults = faults + 1
      end
      counts[#counts + 1] = group .. " " .. active .. " 人"
    end
    if faults == 0 then
      flag { message = "資通安全推動小組名冊：" .. table.concat(counts, "、"), status = "ok", section = section }
    end
  end,
}
