-- Check on the plan text: a sentence or list item that ends in "：" announces
-- content, so nothing after it (no nested list, no table, no text) means a
-- placeholder was left empty, like the seed's 「資料中心及電腦機房之溫濕度管控範圍為：」.
local FILLED = { list = true, table = true, directive = true, heading = true, code = true, quote = true }

-- Most texts end in neither a colon nor white space: their last byte decides
-- without building a trimmed copy ("：" is EF BC 9A).
local function ends_with_colon(text)
  local last = text:byte(-1)
  if last == 0x3A then return true end
  if last == 0x9A then return text:sub(-3) == "：" end
  if last ~= 0x20 and not (last and last >= 0x09 and last <= 0x0D) then return false end
  text = text:gsub("%s+$", "")
  return text:sub(-3) == "：" or text:sub(-1) == ":"
end

local label = (require "text").label

return rule {
  id = "placeholder-empty",
  title = "計畫本文待填內容未填寫",
  severity = "error",
  source = "資通安全管理法施行細則第 6 條（計畫應載明之事項）",
  kind = "document",
  check = function(site, today, params)
    local found = 0
    for _, doc in ipairs(site.documents) do
      local where -- section id -> its label, made for the first flag in doc
      -- only the blocks with a colon of either width are made (doc:find)
      for _, i in ipairs(doc:find("：", ":")) do
        local b = doc.blocks[i]
        if (b.kind == "item" or b.kind == "paragraph" or b.kind == "footnote")
           and not b.has_children and ends_with_colon(b.text) then
          local empty
          if b.kind == "item" then
            -- a later item of the same list follows at once; the last item may
            -- be completed by a paragraph after its list
            local after = doc.blocks[i + 1]
            empty = b.next == "item"
              or not (after and (after.kind == "paragraph" or after.kind == "directive") and after.section == b.section)
          else
            empty = not FILLED[b.next] and b.next ~= "paragraph"
          end
          if empty then
            if not where then
              where = {}
              for _, s in ipairs(doc.sections) do where[s.id] = label(s.number, s.title) end
            end
            found = found + 1
            flag { message = (where[b.section] or doc.title) .. "：「" .. b.text .. "」之後未填寫內容",
                   status = "missing", at = { file = doc.path, line = b.line } }
          end
        end
      end
    end
    if found == 0 then
      flag { message = "計畫本文沒有未填寫之待填內容", status = "ok" }
    end
  end,
}
