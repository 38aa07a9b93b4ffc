#!/usr/bin/env python3
"""Scans every HTML page under the given folders for what the hosting
Content-Security-Policy (script-src, style-src and img-src 'self'; no
'unsafe-inline') would block: <script> without src or with a body, <style>,
style= attributes, on*= event handlers, javascript: URLs, and scripts,
stylesheets or images from another origin. Prints each finding as
path:line:col and ends with `inline-scan: N passed, M failed` (one count a
page). Exit 1 on any finding, or when no page was found."""
import html.parser
import os
import re
import sys

EXTERNAL = re.compile(r"^\s*([a-z][a-z0-9+.-]*:|//)", re.I)


class Scan(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self.script = None  # (line, col) of an open <script> with src
        self.script_text = ""

    def problem(self, what):
        line, col = self.getpos()
        self.problems.append((line, col + 1, what))

    def handle_starttag(self, tag, attrs):
        self.check(tag, attrs)
        if tag == "script":
            src = dict(attrs).get("src")
            if not src:
                self.problem("inline <script> (no src)")
            self.script = self.getpos()
            self.script_text = ""
        elif tag == "style":
            self.problem("inline <style>")

    def handle_startendtag(self, tag, attrs):
        self.check(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "script" and self.script is not None:
            if self.script_text.strip():
                self.problem("<script> with a body")
            self.script = None

    def handle_data(self, data):
        if self.script is not None:
            self.script_text += data

    def check(self, tag, attrs):
        rel = ""
        for name, value in attrs:
            if name == "rel":
                rel = (value or "").lower()
        for name, value in attrs:
            value = value or ""
            if name == "style":
                self.problem(f"style= attribute on <{tag}>")
            elif name.startswith("on"):
                self.problem(f"{name}= event handler on <{tag}>")
            elif name in ("href", "src", "action", "formaction", "xlink:href"):
                if value.strip().lower().startswith("javascript:"):
                    self.problem(f"javascript: URL in {name}= on <{tag}>")
                loads = (tag in ("script", "img", "iframe", "embed", "object", "source", "audio", "video")
                         and name == "src") or (tag == "link" and "stylesheet" in rel)
                if loads and EXTERNAL.match(value) and not value.startswith("data:"):
                    self.problem(f"<{tag}> loads {value} from another origin")
                if loads and value.startswith("data:"):
                    self.problem(f"<{tag}> loads a data: URL")


def main(folders):
    pages = passed = failed = 0
    for top in folders:
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames.sort()
            for name in sorted(filenames):
                if not name.endswith(".html"):
                    continue
                path = os.path.join(dirpath, name)
                pages += 1
                scan = Scan()
                with open(path, encoding="utf-8") as f:
                    scan.feed(f.read())
                scan.close()
                if scan.problems:
                    failed += 1
                    for line, col, what in scan.problems:
                        print(f"{path}:{line}:{col}: {what}")
                else:
                    passed += 1
    if pages == 0:
        print("inline-scan: no pages found in " + " ".join(folders))
        failed += 1
    print(f"inline-scan: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
