-- Check on the plan: it carries each content the Enforcement Rules require of a
-- maintenance plan (資通安全管理法施行細則 第 6 條), which the national template
-- puts in its chapters 參 to 壹拾伍. Each is found in the school's own chapters
-- by site.coverage (the template's title, or site.yaml `coverage:` for a chapter
-- with another title); one the plan lacks, or leaves without any text, is
-- missing.
return rule {
  id = "plan-coverage",
  title = "計畫涵蓋施行細則所定應載明事項",
  severity = "error",
  source = "資通安全管理法施行細則第 6 條（資通安全維護計畫應包括之內容）",
  check = function(site, today, params)
    local chapters = {}
    for _, doc in ipairs(site.documents) do chapters[doc.id] = doc end
    local covered, missing = 0, 0
    for _, c in ipairs(site.coverage) do
      if c.required then
        local doc = c.chapter and chapters[c.chapter]
        local what = "範本 " .. c.number .. "「" .. c.title .. "」"
        if not doc then
          missing = missing + 1
          flag { message = "計畫未載明" .. what .. "之內容（如章名不同，請於 site.yaml 之 coverage 指明對應之章：coverage: { "
                   .. c.key .. ": 章之 id }）", status = "missing" }
        elseif #doc.blocks == 0 then
          missing = missing + 1
          flag { message = "計畫" .. (c.label or doc.title) .. "未填寫內容（" .. what .. "）", status = "missing",
                 at = { file = doc.path, line = 1 } }
        else
          covered = covered + 1
        end
      end
    end
    if missing == 0 then
      flag { message = "計畫已載明施行細則第 6 條所定之 " .. covered .. " 項內容", status = "ok" }
    end
  end,
}
