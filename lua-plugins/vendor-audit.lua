-- Duty: the school confirms each vendor's performance periodically by an audit or
-- other suitable means (計畫 壹拾貳、二、5; 附件 委外廠商查核項目表): here, every
-- vendor under contract in a year is audited that year, before its contract ends.
local function deadline(year, mmdd)
  local m, d = mmdd:match("^(%d+)-(%d+)$")
  return date(year, tonumber(m), tonumber(d))
end

return rule {
  id = "vendor-audit",
  title = "定期查核委外廠商",
  severity = "error",
  source = "計畫 壹拾貳、二、5；資通安全管理法施行細則第 4 條",
  check = function(site, today, params)
    local mmdd = params.due or "12-31"
    local window = params.window_days or 30
    local audits = site.registers["vendor-audits"]
    local function under_contract(v, year)
      return v.contract_start and v.contract_start <= deadline(year, "12-31") and v.contract_start <= today
        and (not v.contract_end or v.contract_end >= date(year, 1, 1))
    end
    local function due_in(v, year)
      local due = deadline(year, mmdd)
      if v.contract_end and v.contract_end < due then return v.contract_end end
      return due
    end
    local function audit_of(v, year)
      return audits:find(function(a) return a.vendor == v.id and a.date and a.date.year == year and a.date <= today end)
    end

    local year = today.year
    for _, v in ipairs(site.registers.vendors) do
      local name = v.id .. " " .. v.name
      if under_contract(v, year) then
        local due = due_in(v, year)
        local done = audit_of(v, year)
        if done then
          local next_due = under_contract(v, year + 1) and due_in(v, year + 1) or nil
          flag { message = name .. "已於 " .. tostring(done.date) .. " 查核（" .. done.id .. "，" .. done.method .. "）",
                 status = "ok", due = next_due, row = done }
        elseif today > due then
          flag { message = name .. "尚未辦理 " .. year .. " 年查核（期限 " .. tostring(due) .. "）", status = "overdue", due = due, row = v }
        else
          flag { message = name .. "之 " .. year .. " 年查核應於 " .. tostring(due) .. " 前辦理", due = due, row = v,
                 status = days_between(today, due) <= window and "due-soon" or "ok" }
        end
      end
      if under_contract(v, year - 1) and not audit_of(v, year - 1) then
        local due = due_in(v, year - 1)
        flag { message = name .. "未辦理 " .. (year - 1) .. " 年查核（期限 " .. tostring(due) .. "）", status = "overdue", due = due, row = v }
      end
    end
  end,
}
