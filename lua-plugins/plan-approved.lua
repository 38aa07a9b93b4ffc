-- Duty: the plan in force is approved: its current version (the last row of the
-- revision table) is approved and names the approver, the 資通安全長, and a date.
return rule {
  id = "plan-approved",
  title = "計畫現行版本經資通安全長核定",
  severity = "error",
  source = "資通安全管理法（資通安全維護計畫之訂定及核定）",
  plan = "policy/核定",
  needs = { revisions = { "version", "date", "approver", "status" } },
  params = { approved = "approved" },
  check = function(site, today, params)
    local revisions = site.registers.revisions
    local row = revisions[#revisions]
    if not row then
      flag { message = "文件制/修訂紀錄表沒有任何版本，無法確認計畫已經核定", status = "missing" }
      return
    end
    local name = "計畫現行版本 " .. (row.version or row._key) .. (row.date and ("（" .. tostring(row.date) .. "）") or "")
    if row.status ~= params.approved then
      flag { message = name .. "尚未核定（狀態為 " .. tostring(row.status) .. "）", status = "missing", row = row }
    elseif not row.approver then
      flag { message = name .. "未載明核定人（資通安全長）", status = "missing", row = row }
    elseif not row.date then
      flag { message = name .. "未載明核定日期", status = "missing", row = row }
    else
      flag { message = name .. "已由 " .. row.approver .. " 核定", status = "ok", row = row }
    end
  end,
}
