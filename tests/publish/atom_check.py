#!/usr/bin/env python3
"""Checks that each file given is a valid Atom feed: the requirements of
RFC 4287 section by section (the element counts of 4.1.1 atom:feed and 4.1.2
atom:entry, 3.1 text, 3.2 person and 3.3 date constructs, 4.2.6 ids as
absolute IRIs, 4.2.7 links, no unknown element in the Atom namespace);
with --self, a link rel=self too (a SHOULD).
Prints each problem as FILE: message and ends with
`atom-check: N passed, M failed` (one count a file)."""
import datetime
import re
import sys
import xml.etree.ElementTree as ET

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
FEED_CHILDREN = {"author", "category", "contributor", "generator", "icon", "id", "link", "logo",
                 "rights", "subtitle", "title", "updated", "entry"}
ENTRY_CHILDREN = {"author", "category", "content", "contributor", "id", "link", "published",
                  "rights", "source", "summary", "title", "updated"}
FEED_ONCE = {"id", "title", "updated"}
FEED_AT_MOST_ONCE = {"generator", "icon", "logo", "rights", "subtitle"}
ENTRY_ONCE = {"id", "title", "updated"}
ENTRY_AT_MOST_ONCE = {"content", "published", "rights", "source", "summary"}
TEXT_CONSTRUCTS = {"title", "subtitle", "summary", "rights"}
DATE_CONSTRUCTS = {"updated", "published"}
RFC3339 = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
IRI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
UUID_URN = re.compile(r"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
LINK_RELS = {"alternate", "related", "self", "enclosure", "via"}


def local(el):
    return el.tag[len(ATOM):] if el.tag.startswith(ATOM) else None


def check_date(el, where, problems):
    m = RFC3339.match((el.text or "").strip())
    if not m or m.group(0) != (el.text or ""):
        problems.append(f"{where}: '{el.text}' is not an RFC 3339 date-time")
        return
    y, mo, d, h, mi, s = (int(m.group(i)) for i in range(1, 7))
    try:
        datetime.datetime(y, mo, d, h, mi, min(s, 59))
    except ValueError:
        problems.append(f"{where}: '{el.text}' is not a calendar date")


def check_text(el, where, problems):
    kind = el.get("type", "text")
    if kind not in ("text", "html", "xhtml"):
        problems.append(f"{where}: type '{kind}' is not text, html or xhtml")
    if kind in ("text", "html") and len(el):
        problems.append(f"{where}: a {kind} construct holds child elements")
    if kind == "xhtml":
        kids = list(el)
        if len(kids) != 1 or kids[0].tag != "{http://www.w3.org/1999/xhtml}div":
            problems.append(f"{where}: xhtml content must be one xhtml:div")
    if kind == "text" and not (el.text or "").strip():
        problems.append(f"{where}: empty")


def check_person(el, where, problems):
    names = [c for c in el if local(c) == "name"]
    if len(names) != 1 or not (names[0].text or "").strip():
        problems.append(f"{where}: a person construct needs exactly one non-empty atom:name")
    for kid in ("uri", "email"):
        if len([c for c in el if local(c) == kid]) > 1:
            problems.append(f"{where}: more than one atom:{kid}")


def check_id(el, where, problems):
    text = el.text or ""
    if text != text.strip() or not IRI_SCHEME.match(text) or re.search(r"\s", text):
        problems.append(f"{where}: '{text}' is not an absolute IRI")
    if text.startswith("urn:uuid:") and not UUID_URN.match(text):
        problems.append(f"{where}: '{text}' is not a urn:uuid")


def check_links(parent, where, problems):
    alternates = set()
    for link in (c for c in parent if local(c) == "link"):
        href = link.get("href")
        if not href:
            problems.append(f"{where}/link: no href")
        rel = link.get("rel", "alternate")
        if rel not in LINK_RELS and not IRI_SCHEME.match(rel):
            problems.append(f"{where}/link: rel '{rel}' is neither registered nor an IRI")
        if rel == "alternate":
            key = (link.get("type"), link.get("hreflang"))
            if key in alternates:
                problems.append(f"{where}: two alternate links with type {key[0]} and hreflang {key[1]}")
            alternates.add(key)
        if rel == "self" and link.get("type") not in (None, "application/atom+xml"):
            problems.append(f"{where}/link[self]: type {link.get('type')}")
    return alternates


def check_children(parent, where, allowed, once, at_most_once, problems):
    counts = {}
    for c in parent:
        name = local(c)
        if name is None:
            continue  # foreign markup is allowed
        if name not in allowed:
            problems.append(f"{where}: unknown Atom element atom:{name}")
        counts[name] = counts.get(name, 0) + 1
    for name in once:
        if counts.get(name, 0) != 1:
            problems.append(f"{where}: {counts.get(name, 0)} atom:{name}, exactly one required")
    for name in at_most_once:
        if counts.get(name, 0) > 1:
            problems.append(f"{where}: {counts[name]} atom:{name}, at most one allowed")
    for c in parent:
        name = local(c)
        here = f"{where}/{name}"
        if name in TEXT_CONSTRUCTS:
            check_text(c, here, problems)
        elif name in DATE_CONSTRUCTS:
            check_date(c, here, problems)
        elif name in ("author", "contributor"):
            check_person(c, here, problems)
        elif name == "id":
            check_id(c, here, problems)
    return counts


def check_feed(path, require_self):
    problems = []
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        return [f"not well-formed XML: {e}"]
    if root.tag != ATOM + "feed":
        return [f"the root element is {root.tag}, not atom:feed"]
    counts = check_children(root, "feed", FEED_CHILDREN, FEED_ONCE, FEED_AT_MOST_ONCE, problems)
    check_links(root, "feed", problems)
    if require_self and not any(local(c) == "link" and c.get("rel") == "self" for c in root):
        problems.append("feed: no link rel=self (a SHOULD of RFC 4287, asked for by --self)")
    feed_author = counts.get("author", 0) > 0
    ids = set()
    for i, entry in enumerate(c for c in root if local(c) == "entry"):
        where = f"entry[{i + 1}]"
        ecounts = check_children(entry, where, ENTRY_CHILDREN, ENTRY_ONCE, ENTRY_AT_MOST_ONCE, problems)
        alternates = check_links(entry, where, problems)
        if not feed_author and not ecounts.get("author") and not ecounts.get("source"):
            problems.append(f"{where}: no atom:author, and the feed has none")
        if not ecounts.get("content") and not alternates:
            problems.append(f"{where}: neither atom:content nor an alternate link")
        content = next((c for c in entry if local(c) == "content"), None)
        if content is not None and content.get("src") and not ecounts.get("summary"):
            problems.append(f"{where}: content with src needs an atom:summary")
        eid = next((c.text for c in entry if local(c) == "id"), None)
        if eid in ids:
            problems.append(f"{where}: id {eid} used twice")
        ids.add(eid)
    if root.get(XML_LANG) is None:
        problems.append("feed: no xml:lang")
    return problems


def main(args):
    require_self = "--self" in args
    paths = [a for a in args if a != "--self"]
    passed = failed = 0
    for path in paths:
        problems = check_feed(path, require_self)
        if problems:
            failed += 1
            for p in problems:
                print(f"{path}: {p}")
        else:
            passed += 1
    print(f"atom-check: {passed} passed, {failed} failed")
    return 1 if failed or not paths else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
