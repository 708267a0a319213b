-- sections.lua - pandoc filter making a man page out of README.md.
-- Keeps the page's own front part (level-1 headers of the head file, e.g.
-- NAME, SYNOPSIS) and the README sections named in the metadata list
-- `sections` (their "## Title", with every subsection), in README order,
-- one level up: "## Usage" becomes the man section USAGE. The README's
-- "# Relax" intro becomes DESCRIPTION when `sections` names "DESCRIPTION".
-- Everything else of the README is left out. Relative links lose their
-- target (a man page has no README to point into).

local function text_of(inlines)
  return pandoc.utils.stringify(inlines)
end

function Pandoc(doc)
  local wanted, found = {}, {}
  for _, s in ipairs(doc.meta.sections or {}) do
    if type(s) ~= "table" or s.t == "MetaMap" then
      error("man page: a section name in the head is not plain text (quote names holding ': ')")
    end
    wanted[text_of(s)] = true
  end
  local out = {}
  local keep, shift = false, 0
  for _, b in ipairs(doc.blocks) do
    if b.t == "Header" then
      local title = text_of(b.content)
      if b.level == 1 then
        -- the head and tail files' own sections, or the README's title
        if title == "Relax" then
          keep, shift = wanted["DESCRIPTION"] == true, 0
          if keep then
            b = pandoc.Header(1, "DESCRIPTION")
          end
        else
          keep, shift = true, 0
        end
      elseif b.level == 2 then
        keep, shift = wanted[title] == true, 1
        if keep then found[title] = true end
      end
      if keep then
        local lvl = b.level - shift
        b = pandoc.Header(lvl, lvl == 1 and pandoc.utils.stringify(b.content):upper() or b.content)
      end
    end
    if keep then
      table.insert(out, b)
    end
  end
  -- a README section renamed or gone must not silently leave the page
  for name in pairs(wanted) do
    if name ~= "DESCRIPTION" and not found[name] then
      error("man page: README.md has no section '## " .. name .. "'")
    end
  end
  doc.blocks = out
  return doc
end

function Link(el)
  if not el.target:match("^%a+:") then
    return el.content
  end
end
