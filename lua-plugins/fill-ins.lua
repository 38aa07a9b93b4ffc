-- Check on the plan text: every fill-in 〔待填：…〕 left in the plan, the annex
-- forms and the staff digest, at its place, until the school's own words
-- replace it. `policygen new` writes the national template's text with a
-- fill-in wherever the example school's own name, units, documents or values
-- stood (README.md, "First plan in five minutes"); site.yaml's organization
-- settings that still hold one are flagged too. Fill-ins are found in
-- headings, paragraphs, list items and footnotes (not in table cells).
local label = (require "text").label

local OPEN, CLOSE = "〔待填：", "〕"

return rule {
  id = "fill-ins",
  title = "待填內容尚未填寫",
  severity = "error",
  source = "資通安全管理法施行細則第 6 條（計畫應載明之事項）",
  check = function(site, today, params)
    local found = 0

    -- each fill-in of text, as written (one left unclosed runs to the end)
    local function each(text, f)
      local from = 1
      while true do
        local s, e = text:find(OPEN, from, true)
        if not s then return end
        local _, close = text:find(CLOSE, e + 1, true)
        f(text:sub(s, close or #text))
        from = (close or #text) + 1
      end
    end

    local function report(where, fill, file, line)
      found = found + 1
      flag { message = where .. "：「" .. fill .. "」尚未填寫，請以實際內容取代",
             status = "missing", at = { file = file, line = line } }
    end

    local function scan(doc, name)
      if not doc:contains(OPEN) then return end -- most documents: without making their tables
      local where = {} -- section id -> its label
      for _, s in ipairs(doc.sections) do
        where[s.id] = s.number ~= "" and label(s.number, s.title) or s.title
        -- a chapter's title (its first section) is its front matter's, at line 1
        each(s.title, function(fill) report(name, fill, doc.path, s.line) end)
      end
      for _, i in ipairs(doc:find(OPEN)) do
        local b = doc.blocks[i]
        local at = (b.section ~= doc.id or doc.kind == "chapter") and where[b.section] or name
        each(b.text, function(fill) report(at, fill, doc.path, b.line) end)
      end
    end

    for _, doc in ipairs(site.documents) do scan(doc, doc.title) end
    for _, a in ipairs(site.annexes) do scan(a, "附件 " .. a.number .. "「" .. a.title .. "」") end
    if site.digest then scan(site.digest, site.digest.title) end

    for _, key in ipairs({ "name", "short_name", "parent", "level" }) do
      local value = site.organization[key] or ""
      each(value, function()
        found = found + 1
        flag { message = "site.yaml 之 organization." .. key .. "「" .. value .. "」尚未填寫，請以實際內容取代",
               status = "missing" }
      end)
    end

    if found == 0 then
      flag { message = "計畫本文、附件表單、同仁須知及 site.yaml 均無待填內容", status = "ok" }
    end
  end,
}
