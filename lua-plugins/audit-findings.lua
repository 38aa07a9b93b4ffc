-- Duty: every audit finding gets a corrective action with a due date and is
-- followed until closed (計畫 壹拾伍、二、(二); 肆、二 goal 7; 附件 稽核結果及改善報告).
-- the text up to its first "，" "。" "；" or "（" when that is short enough, else cut at n
local function short(text, n)
  text = text or ""
  for _, mark in ipairs({ "，", "。", "；", "（" }) do
    local p = text:find(mark, 1, true)
    if p and utf8.len(text:sub(1, p - 1)) <= n then text = text:sub(1, p - 1) end
  end
  if utf8.len(text) <= n then return text end
  return text:sub(1, utf8.offset(text, n + 1) - 1) .. "…"
end

return rule {
  id = "audit-findings",
  title = "稽核缺失之改善及追蹤",
  severity = "error",
  source = "計畫 壹拾伍、二、(二)；肆、二 目標 7",
  check = function(site, today, params)
    local window = params.window_days or 30
    local staff = site.registers.staff
    for _, f in ipairs(site.registers["audit-findings"]) do
      local owner = f.owner and staff:find(function(p) return p.id == f.owner end)
      local what = f.id .. "「" .. short(f.finding, params.excerpt or 20) .. "」"
      local who = owner and ("（負責人 " .. owner.name .. "）") or ""
      if f.closed then
        flag { message = what .. "已於 " .. tostring(f.closed) .. " 改善結案", status = "ok", row = f }
      elseif not f.action then
        flag { message = what .. "尚未研議改善措施" .. who, status = "missing", row = f }
      elseif not f.due then
        flag { message = what .. "已有改善措施，但未訂預定完成日期，亦未結案" .. who, status = "missing", row = f }
      elseif today > f.due then
        flag { message = what .. "應於 " .. tostring(f.due) .. " 前改善完成，逾期未結案" .. who, status = "overdue", due = f.due, row = f }
      else
        flag { message = what .. "預定 " .. tostring(f.due) .. " 改善完成，尚未結案" .. who, due = f.due, row = f,
               status = days_between(today, f.due) <= window and "due-soon" or "ok" }
      end
    end
  end,
}
