-- Duty: for each outsourcing vendor: its staff sign the confidentiality
-- agreement, the contract obliges it to notify the school within 1 hour of an
-- incident, a custom-built system comes with a third-party security test, and
-- the data is returned or deleted when the contract ends. The form named in the
-- messages is the annex params.annex, if given.
local text = require "text"

return rule {
  id = "vendor-controls",
  title = "委外廠商之資通安全管理措施",
  severity = "error",
  source = "資通安全管理法施行細則（委外辦理之受託者應具備之資通安全維護措施）",
  plan = "outsourcing",
  needs = {
    vendors = { "name", "confidentiality_agreement", "notify_1h_clause", "contract_end?",
                "third_party_test?", "data_returned?" },
  },
  params = { window_days = 30, annex = false, third_party_missing = "未提供", third_party_given = "已提供",
             data_confirmed = "已確認" },
  check = function(site, today, params)
    local vendors = site.registers.vendors
    local form = "保密切結書、保密同意書"
    for _, a in ipairs(site.annexes) do
      if a.id == params.annex then form = "附件 " .. a.number .. "「" .. a.title .. "」" end
    end
    for _, v in ipairs(vendors) do
      local name = text.row_name(v, v.name)
      local faults = 0
      local function fault(s, status, due)
        faults = faults + 1
        flag { message = name .. s, status = status or "missing", due = due, row = v }
      end
      if v.confidentiality_agreement ~= true then fault("之業務執行人員尚未簽署" .. form) end
      if v.notify_1h_clause ~= true then fault("之契約未訂明知悉資通安全事件後 1 小時內通知本校之條款") end
      if v.third_party_test == params.third_party_missing then fault("為客製化系統開發，尚未提供第三方安全性檢測證明") end
      local ended = v.contract_end and v.contract_end < today
      if vendors.fields.data_returned and v.data_returned ~= params.data_confirmed and v.contract_end then
        if ended then
          fault("之契約已於 " .. tostring(v.contract_end) .. " 終止，尚未確認返還、移交、刪除或銷毀本校資料",
                "overdue", v.contract_end)
        elseif days_between(today, v.contract_end) <= params.window_days then
          fault("之契約將於 " .. tostring(v.contract_end) .. " 終止，屆時應確認返還、移交、刪除或銷毀本校資料",
                "due-soon", v.contract_end)
        end
      end
      if faults == 0 then
        flag { message = name .. "：已簽保密同意書、契約訂有 1 小時通知條款"
                 .. (v.third_party_test == params.third_party_given and "、已提供第三方安全性檢測" or "")
                 .. (ended and "；契約終止後已確認資料返還或刪除" or (v.contract_end and ("；契約至 " .. tostring(v.contract_end)) or "")),
               status = "ok", due = not ended and v.contract_end or nil, row = v }
      end
    end
  end,
}
