-- Check on the plan text: the annex list and the text agree: every annex the
-- plan names exists, every listed annex is referred to from the plan's own text
-- (a form that points at another form does not count), and the text calls each
-- annex by its title.

-- the names after each "附件：" up to the end of the sentence (plain finds: Lua
-- patterns work on bytes, not on characters such as "："); 「」 are dropped
local function named_annexes(text)
  local names = {}
  for _, colon in ipairs({ "附件：", "附件:" }) do
    local from = 1
    while true do
      local _, e = text:find(colon, from, true)
      if not e then break end
      local rest = text:sub(e + 1)
      local stop = #rest + 1
      for _, mark in ipairs({ "。", "；", "\n" }) do
        local p = rest:find(mark, 1, true)
        if p and p < stop then stop = p end
      end
      local name = rest:sub(1, stop - 1):gsub("^%s+", ""):gsub("%s+$", "")
      if name:sub(1, 3) == "「" and name:sub(-3) == "」" then name = name:sub(4, -4) end
      if name ~= "" then names[#names + 1] = name end
      from = e + 1
    end
  end
  return names
end

return rule {
  id = "annex-coverage",
  title = "附件表單與計畫本文之引用相符",
  severity = "warning",
  source = "資通安全管理法施行細則第 6 條（計畫應載明之事項及其表單）",
  plan = "references/表單",
  kind = "document",
  check = function(site, today, params)
    local by_id, by_title = {}, {}
    for _, a in ipairs(site.annexes) do
      by_id[a.id] = a
      by_title[a.title] = a
    end
    local faults = 0

    for _, doc in ipairs(site.documents) do
      local linked = {}
      for _, link in ipairs(doc.links) do
        local id = link.url:match("^annex:(.+)$")
        if id then
          linked[link.text] = true
          local a = by_id[id]
          if not a then
            faults = faults + 1
            flag { message = "計畫引用之附件「" .. (link.text ~= "" and link.text or id) .. "」（annex:" .. id .. "）不在附件表單中",
                   status = "missing", severity = "error", at = { file = doc.path, line = link.line } }
          elseif link.text ~= "" and not link.text:find(a.title, 1, true) then
            faults = faults + 1
            flag { message = "計畫以「" .. link.text .. "」稱呼附件 " .. a.number .. "，但該附件之名稱為「" .. a.title .. "」",
                   status = "missing", at = { file = doc.path, line = link.line } }
          end
        end
      end
      -- a form named in plain text ("格式可參附件：資通安全保密同意書") without a link; both
      -- markers start with 附件, so only the blocks that hold it are made
      for _, i in ipairs(doc:find("附件")) do
        local b = doc.blocks[i]
        for _, name in ipairs(named_annexes(b.text)) do
          if not linked[name] and not by_title[name] then
            faults = faults + 1
            flag { message = "計畫提及附件「" .. name .. "」，但附件表單中沒有此表單", status = "missing",
                   severity = "error", at = { file = doc.path, line = b.line } }
          end
        end
      end
    end

    for _, a in ipairs(site.annexes) do
      if (a.references or 0) == 0 then
        faults = faults + 1
        flag { message = "附件 " .. a.number .. "「" .. a.title .. "」未被計畫本文引用（僅列於附件表單或由其他附件引用）",
               status = "missing", at = { file = a.path, line = 1 } }
      end
    end
    if faults == 0 then
      flag { message = #site.annexes > 0 and (#site.annexes .. " 份附件表單均由計畫本文引用，且名稱相符")
                       or "計畫本文未提及附件表單，亦未附表單", status = "ok" }
    end
  end,
}
