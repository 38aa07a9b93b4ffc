-- Duty: for each outsourcing vendor: its staff sign the confidentiality agreement
-- (附件 委外廠商執行人員保密切結書、保密同意書), the contract obliges it to notify
-- the school within 1 hour of an incident, a custom-built system comes with a
-- third-party security test, and the data is returned or deleted when the
-- contract ends (計畫 壹拾貳、二; 資通安全管理法施行細則第 4 條).
return rule {
  id = "vendor-controls",
  title = "委外廠商之資通安全管理措施",
  severity = "error",
  source = "計畫 壹拾貳、二、1–4；資通安全管理法施行細則第 4 條",
  check = function(site, today, params)
    local window = params.window_days or 30
    local form = "保密切結書、保密同意書"
    for _, a in ipairs(site.annexes) do
      if a.id == (params.annex or "vendor-confidentiality") then
        form = "附件 " .. a.number .. "「" .. a.title .. "」"
      end
    end
    for _, v in ipairs(site.registers.vendors) do
      local name = v.id .. " " .. v.name
      local faults = 0
      local function fault(text, status, due)
        faults = faults + 1
        flag { message = name .. text, status = status or "missing", due = due, row = v }
      end
      if v.confidentiality_agreement ~= true then fault("之業務執行人員尚未簽署" .. form) end
      if v.notify_1h_clause ~= true then fault("之契約未訂明知悉資通安全事件後 1 小時內通知本校之條款") end
      if v.third_party_test == "未提供" then fault("為客製化系統開發，尚未提供第三方安全性檢測證明") end
      local ended = v.contract_end and v.contract_end < today
      if v.data_returned ~= "已確認" and v.contract_end then
        if ended then
          fault("之契約已於 " .. tostring(v.contract_end) .. " 終止，尚未確認返還、移交、刪除或銷毀本校資料",
                "overdue", v.contract_end)
        elseif days_between(today, v.contract_end) <= window then
          fault("之契約將於 " .. tostring(v.contract_end) .. " 終止，屆時應確認返還、移交、刪除或銷毀本校資料",
                "due-soon", v.contract_end)
        end
      end
      if faults == 0 then
        flag { message = name .. "：已簽保密同意書、契約訂有 1 小時通知條款"
                 .. (v.third_party_test == "已提供" and "、已提供第三方安全性檢測" or "")
                 .. (ended and "；契約終止後已確認資料返還或刪除" or ("；契約至 " .. tostring(v.contract_end))),
               status = "ok", due = not ended and v.contract_end or nil, row = v }
      end
    end
  end,
}
