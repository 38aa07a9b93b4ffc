-- Duty: the school confirms each vendor's performance periodically by an audit:
-- every vendor under contract in a year is audited that year (by params.due),
-- before its contract ends.
local dates = require "dates"
local text = require "text"

return rule {
  id = "vendor-audit",
  title = "定期查核委外廠商",
  severity = "error",
  source = "資通安全管理法施行細則（委外辦理之受託者監督）",
  plan = "outsourcing/監督",
  needs = {
    vendors = { "name", "contract_start", "contract_end" },
    ["vendor-audits"] = { "vendor", "date", "method?" },
  },
  params = { due = "12-31", window_days = 30 },
  check = function(site, today, params)
    local audits = site.registers["vendor-audits"]
    local function under_contract(v, year)
      return v.contract_start and v.contract_start <= date(year, 12, 31) and v.contract_start <= today
        and (not v.contract_end or v.contract_end >= date(year, 1, 1))
    end
    local function due_in(v, year)
      local due = dates.deadline(year, params.due)
      if v.contract_end and v.contract_end < due then return v.contract_end end
      return due
    end
    local function audit_of(v, year)
      return audits:find(function(a) return a.vendor == v._key and a.date and a.date.year == year and a.date <= today end)
    end

    local year = today.year
    for _, v in ipairs(site.registers.vendors) do
      local name = text.row_name(v, v.name)
      if under_contract(v, year) then
        local due = due_in(v, year)
        local done = audit_of(v, year)
        if done then
          local next_due = under_contract(v, year + 1) and due_in(v, year + 1) or nil
          flag { message = name .. "已於 " .. tostring(done.date) .. " 查核（" .. done._key .. (done.method and ("，" .. done.method) or "") .. "）",
                 status = "ok", due = next_due, row = done }
        elseif today > due then
          flag { message = name .. "尚未辦理 " .. year .. " 年查核（期限 " .. tostring(due) .. "）", status = "overdue", due = due, row = v }
        else
          flag { message = name .. "之 " .. year .. " 年查核應於 " .. tostring(due) .. " 前辦理", due = due, row = v,
                 status = days_between(today, due) <= params.window_days and "due-soon" or "ok" }
        end
      end
      if under_contract(v, year - 1) and not audit_of(v, year - 1) then
        local due = due_in(v, year - 1)
        flag { message = name .. "未辦理 " .. (year - 1) .. " 年查核（期限 " .. tostring(due) .. "）", status = "overdue", due = due, row = v }
      end
    end
  end,
}
