-- Check on the plan text: a 各欄位定義 list under a register's table defines the
-- table's columns, so every term it defines should be a field of that register
-- (the seed's 核心業務 table defines 作業名稱 but has no such column). The list's
-- register is the nearest `register` directive before it in the same section,
-- else the register named like the section (id or title). Reads each
-- register's field labels from site.schemas.
local text = require "text"

-- Lua patterns work on bytes, so "：" is found as plain text
local function strip(s)
  s = s:gsub("%s+$", "")
  if s:sub(-3) == "：" then return s:sub(1, -4) end
  if s:sub(-1) == ":" then return s:sub(1, -2) end
  return s
end

-- the defined term: the text before the first "：" or ":", else all of it
local function term_of(s)
  local cut = #s + 1
  for _, colon in ipairs({ "：", ":" }) do
    local p = s:find(colon, 1, true)
    if p and p < cut then cut = p end
  end
  return s:sub(1, cut - 1)
end

-- does a defined term (the item's text) name one of the fields?
local function matches(s, fields)
  local term = term_of(s)
  local stem = term:gsub("名稱$", "")
  for _, f in ipairs(fields) do
    local label = f.label or f.name
    if s:find(label, 1, true) == 1 or term == label or label:find(term, 1, true)
       or (stem ~= "" and label:find(stem, 1, true)) then
      return true
    end
  end
  return false
end

return rule {
  id = "field-definitions",
  title = "欄位定義與表格欄位相符",
  severity = "warning",
  source = "資通安全管理法施行細則第 6 條（計畫應載明之事項）",
  params = { heading = "欄位定義" },
  kind = "document",
  check = function(site, today, params)
    local schemas = {}
    for _, reg in ipairs(site.schemas) do schemas[reg.name] = reg end
    local lists, faults = 0, 0
    for _, doc in ipairs(site.documents) do
      if not doc:contains(params.heading) then goto next_doc end -- without making its tables
      local titles -- section id -> section, made for the first list in doc
      local directive = {} -- section id -> register named by its last directive so far
      for i, b in ipairs(doc.blocks) do
        if b.kind == "directive" and b.name == "register" then directive[b.section] = b.arg end
        if b.kind == "paragraph" and b.next == "list" and (b.text or ""):find(params.heading, 1, true) then
          if not titles then
            titles = {}
            for _, s in ipairs(doc.sections) do titles[s.id] = s end
          end
          local sec = titles[b.section]
          local name = directive[b.section]
          if not name then
            for _, reg in ipairs(site.schemas) do
              if reg.name == b.section or (sec and reg.title == strip(sec.title)) then name = reg.name end
            end
          end
          local reg = name and schemas[name]
          if reg then
            lists = lists + 1
            local where = sec and text.label(sec.number, strip(sec.title)) or doc.title
            local n = 0
            for k = i + 1, #doc.blocks do
              local item = doc.blocks[k]
              if item.kind ~= "item" or item.section ~= b.section then break end
              n = n + 1
              if not matches(item.text, reg.fields) then
                faults = faults + 1
                flag { message = where .. "之各欄位定義第 " .. n .. " 項定義「" .. term_of(item.text) .. "」，但" .. reg.title
                         .. "（register " .. name .. "）沒有此欄位", status = "missing",
                       at = { file = doc.path, line = item.line } }
              end
            end
          end
        end
      end
      ::next_doc::
    end
    if faults == 0 and lists > 0 then
      flag { message = lists .. " 份各欄位定義均與其表格欄位相符", status = "ok" }
    end
  end,
}
