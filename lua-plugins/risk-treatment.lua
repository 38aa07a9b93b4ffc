-- Duty: a risk above the acceptable level gets a treatment with an owner and a
-- due date, followed until closed (計畫 捌; 肆、二 goal 6; 附件 風險評估表).
-- Acceptable means a score of at most params.acceptable_max (4).
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
  id = "risk-treatment",
  title = "風險處理計畫之執行及追蹤",
  severity = "error",
  source = "計畫 捌；肆、二 目標 6",
  check = function(site, today, params)
    local max = params.acceptable_max or 4
    local window = params.window_days or 30
    local assets, staff = site.registers.assets, site.registers.staff
    for _, r in ipairs(site.registers.risks) do
      local asset = assets:find(function(a) return a.id == r.asset end)
      local owner = r.owner and staff:find(function(p) return p.id == r.owner end)
      local what = r.id .. "（" .. (asset and asset.name or r.asset) .. "「" .. short(r.threat, 16) .. "」，風險值 "
        .. tostring(r.score) .. "）"
      local who = owner and ("（負責人 " .. owner.name .. "）") or ""
      local above = (r.score and r.score > max) or r.acceptable == false
      if r.acceptable == true and r.score and r.score > max then
        flag { message = what .. "高於可接受風險值 " .. max .. "，卻標示為可接受", status = "missing", severity = "warning", row = r }
      end
      if above then
        if r.closed then
          flag { message = what .. "之風險處理已於 " .. tostring(r.closed) .. " 結案", status = "ok", row = r }
        elseif not r.due then
          flag { message = what .. "未訂定風險處理之預定完成日期" .. who, status = "missing", row = r }
        elseif today > r.due then
          flag { message = what .. "之風險處理應於 " .. tostring(r.due) .. " 前完成，逾期未結案" .. who,
                 status = "overdue", due = r.due, row = r }
        else
          flag { message = what .. "之風險處理預定 " .. tostring(r.due) .. " 完成，尚未結案" .. who, due = r.due, row = r,
                 status = days_between(today, r.due) <= window and "due-soon" or "ok" }
        end
      end
    end
  end,
}
