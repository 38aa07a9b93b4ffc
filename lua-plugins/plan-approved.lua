-- Duty: the plan in force is approved: its current version (the last row of the
-- revision table on the cover) names the approver, the 資通安全長, and a date
-- (計畫 封面 文件制/修訂紀錄表；肆、三 由資通安全長核定).
return rule {
  id = "plan-approved",
  title = "計畫現行版本經資通安全長核定",
  severity = "error",
  source = "計畫 封面（文件制/修訂紀錄表）、肆、三；資通安全管理法第 10 條（2018 年公布之條次）",
  check = function(site, today, params)
    local revisions = site.registers.revisions
    local row = revisions[#revisions]
    if not row then
      flag { message = "文件制/修訂紀錄表沒有任何版本，無法確認計畫已經核定", status = "missing",
             section = params.section or "policy/資通安全政策及目標之核定程序" }
      return
    end
    local version = row.version or row[revisions.key]
    local name = "計畫現行版本 " .. version .. (row.date and ("（" .. tostring(row.date) .. "）") or "")
    if row.status ~= "approved" then
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
