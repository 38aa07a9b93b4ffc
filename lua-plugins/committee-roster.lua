-- Duty: the 資通安全推動小組 roster lists its active members and their duties for
-- each group. The groups are params.groups, else the values the committee
-- register's group field offers, else the groups its rows name.
local people = require "people"

return rule {
  id = "committee-roster",
  title = "資通安全推動小組成員及分工表",
  severity = "error",
  source = "資通安全管理法施行細則第 6 條（資通安全推動組織）",
  plan = "organization/分工",
  needs = {
    committee = { "group", "member", "duties?" },
    ["staff?"] = { "name", "left" },
  },
  params = { groups = false },
  check = function(site, today, params)
    local staff, committee = site.registers.staff, site.registers.committee
    local groups = params.groups or committee.options.group
    if not groups then
      local seen = {}
      groups = {}
      for _, m in ipairs(committee) do
        if m.group and not seen[m.group] then seen[m.group] = true; groups[#groups + 1] = m.group end
      end
    end
    if #groups == 0 then
      flag { message = "資通安全推動小組名冊沒有任何成員", status = "missing" }
      return
    end
    local counts, faults = {}, 0
    for _, group in ipairs(groups) do
      local active = 0
      for _, m in ipairs(committee) do
        if m.group == group then
          local p = people.find(staff, m.member)
          if p and not people.active(p, today) then
            flag { message = group .. "成員 " .. p.name .. "（" .. p._key .. "）已於 " .. tostring(p.left)
                     .. " 離職，推動小組名冊應更新", status = "overdue", severity = "warning", due = p.left, row = m }
            faults = faults + 1
          elseif committee.fields.duties and not m.duties then
            flag { message = "推動小組名冊 " .. m._key .. "（" .. group .. " " .. (p and p.name or tostring(m.member)) .. "）未載明職掌",
                   status = "missing", row = m }
            faults = faults + 1
            active = active + 1
          else
            active = active + 1
          end
        end
      end
      if active == 0 then
        flag { message = "資通安全推動小組名冊沒有" .. group .. "之在職成員", status = "missing" }
        faults = faults + 1
      end
      counts[#counts + 1] = group .. " " .. active .. " 人"
    end
    if faults == 0 then
      flag { message = "資通安全推動小組名冊：" .. table.concat(counts, "、"), status = "ok" }
    end
  end,
}
