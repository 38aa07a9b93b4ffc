#!/usr/bin/env python3
"""Checks an announcement e-mail with Python's standard mail parser:

    eml_check.py FILE TEXT... [--link URL]... [--html-link URL]...

The raw message must be RFC 5322 (CRLF line ends, lines of at most 998
octets, headers in ASCII with RFC 2047 words for the rest), parse without
defects, have From, To, Subject, Date and Message-ID and MIME-Version 1.0,
and be multipart/alternative with a text/plain and a text/html part in
UTF-8. Each TEXT must be in the decoded subject or both parts; each --link
URL must be in the plain text and an href of the HTML, each --html-link an
href of the HTML. To is optional (RFC 5322 does not require it). Prints each problem and ends
with `eml-check: N passed, M failed` (one count a check)."""
import email
import email.policy
import email.utils
import sys


def main(args):
    path = args[0]
    texts, links, html_links = [], [], []
    rest = args[1:]
    while rest:
        if rest[0] == "--link":
            links.append(rest[1])
            rest = rest[2:]
        elif rest[0] == "--html-link":
            html_links.append(rest[1])
            rest = rest[2:]
        else:
            texts.append(rest[0])
            rest = rest[1:]
    passed = failed = 0
    problems = []

    def check(ok, what):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            problems.append(what)

    raw = open(path, "rb").read()
    head, _, _ = raw.partition(b"\r\n\r\n")
    check(b"\n" not in raw.replace(b"\r\n", b""), "a line ends without CR LF")
    check(all(len(line) <= 998 for line in raw.split(b"\r\n")), "a line is longer than 998 octets")
    check(all(b < 0x80 for b in head), "a header holds bytes beyond ASCII")

    msg = email.message_from_bytes(raw, policy=email.policy.default)
    check(not msg.defects, f"defects: {msg.defects}")
    for name in ("From", "Subject", "Date", "Message-ID"):
        check(msg[name] is not None, f"no {name} header")
    check(msg["MIME-Version"] == "1.0", f"MIME-Version is {msg['MIME-Version']}")
    try:
        email.utils.parsedate_to_datetime(msg["Date"])
        check(True, "")
    except (TypeError, ValueError):
        check(False, f"Date '{msg['Date']}' does not parse")
    mid = str(msg["Message-ID"] or "")
    check(mid.startswith("<") and mid.endswith(">") and "@" in mid, f"Message-ID '{mid}'")
    for addr in msg["From"].addresses + (msg["To"].addresses if msg["To"] else ()):
        check("@" in addr.addr_spec, f"address '{addr}'")
    check(msg.get_content_type() == "multipart/alternative",
          f"the message is {msg.get_content_type()}, not multipart/alternative")
    parts = list(msg.iter_parts()) if msg.is_multipart() else []
    types = [p.get_content_type() for p in parts]
    check(types == ["text/plain", "text/html"], f"parts {types}")
    for p in parts:
        check(not p.defects, f"{p.get_content_type()} defects: {p.defects}")
        check((p.get_content_charset() or "").lower() == "utf-8",
              f"{p.get_content_type()} charset {p.get_content_charset()}")
    plain = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    plain = plain.get_content() if plain else ""
    html = html.get_content() if html else ""
    subject = str(msg["Subject"])
    for t in texts:
        check(t in subject or (t in plain and t in html), f"'{t}' is in neither the subject nor both parts")
    for url in links:
        check(url in plain, f"the plain text has no {url}")
        check(f'href="{url}' in html, f"the HTML has no link to {url}")
    for url in html_links:
        check(f'href="{url}"' in html, f"the HTML has no link to {url}")
    for p in problems:
        print(f"{path}: {p}")
    print(f"eml-check: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
