#!/usr/bin/env python3
"""Mutation test of the rule contracts: a school's registers use their own
field names, keep their own keys and keep only some registers, and the rules
must cope. For a content folder, one mutation at a time:

  - rename each field of each register (in its schema, its rows, its `key`,
    its own `map` and the `register` directives that name it);
  - delete each register, and every reference to it (ref fields become text,
    an annex's `register:` goes, directives and reg: links go).

For every mutation: the content still loads, no rule fails, and each rule's
result is unchanged, or `unchecked` naming the mutated field or register, or
(only when the rule declares that need optional) the rule ran without it and
raised no complaint the original did not. A renamed field that held a
canonical field of the register's type, with `map: { CANONICAL: NEW }` added,
gives results equal to the original's.

Usage: mutate.py POLICYGEN CONTENT_DIR [TODAY]; prints one line per failure
and a summary; exit 1 on any failure.
"""
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

POLICYGEN = os.path.abspath(sys.argv[1])
SOURCE = sys.argv[2]
TODAY = sys.argv[3] if len(sys.argv) > 3 else "2026-11-28"
CATALOGUE = os.path.join(os.path.dirname(__file__), "..", "..", "generator", "registers", "types.yaml")


def catalogue():
    """type -> set of canonical field names, read from the catalogue's layout."""
    types, current, in_fields = {}, None, False
    for line in open(CATALOGUE, encoding="utf-8"):
        m = re.match(r"^([a-z][a-z-]*):\s*$", line)
        if m:
            current, in_fields = m.group(1), False
            types[current] = set()
            continue
        if current and re.match(r"^  fields:\s*$", line):
            in_fields = True
            continue
        m = re.match(r"^    ([a-z_0-9]+):", line)
        if current and in_fields and m:
            types[current].add(m.group(1))
    return types


TYPES = catalogue()


def word(name):
    return r"(?<![\w-])" + re.escape(name) + r"(?![\w-])"


class Register:
    """What a mutation needs to know of a register file, read from its text."""

    def __init__(self, path):
        self.path = path
        self.name = os.path.basename(path)[:-5]
        self.text = open(path, encoding="utf-8").read()
        lines = self.text.split("\n")
        self.type = next((m.group(1) for m in (re.match(r"^type:\s*([a-z-]+)", l) for l in lines) if m), None)
        self.key = next((m.group(1) for m in (re.match(r"^key:\s*([\w-]+)", l) for l in lines) if m), "id")
        self.fields, section = [], None
        self.mapped = {}  # own field -> canonical
        for line in lines:
            top = re.match(r"^([a-z]+):", line)
            if top:
                section = top.group(1)
                flow = re.match(r"^map:\s*\{(.*)\}", line)
                if flow:
                    for own_pair in re.finditer(r"([a-z_0-9]+):\s*([\w-]+)", flow.group(1)):
                        self.mapped[own_pair.group(2)] = own_pair.group(1)
                continue
            if section == "fields":
                m = re.match(r"^  ([\w-]+):", line)
                if m:
                    self.fields.append(m.group(1))
            elif section == "map":
                m = re.match(r"^  ([a-z_0-9]+):\s*([\w-]+)\s*(#.*)?$", line)
                if m:
                    self.mapped[m.group(2)] = m.group(1)
                m = re.match(r"^  ([a-z_0-9]+):\s*\{.*field:\s*([\w-]+)", line)
                if m:
                    self.mapped[m.group(2)] = m.group(1)

    def canonical(self, field):
        """The canonical field `field` holds, or None."""
        if not self.type:
            return None
        if field in self.mapped:
            return self.mapped[field]
        if field in TYPES.get(self.type, ()) and field not in self.mapped.values():
            return field
        return None


def registers(content):
    folder = os.path.join(content, "registers")
    return [Register(os.path.join(folder, f)) for f in sorted(os.listdir(folder)) if f.endswith(".yaml")]


def documents(content):
    for folder in ("plan", "annexes"):
        d = os.path.join(content, folder)
        if os.path.isdir(d):
            for f in sorted(os.listdir(d)):
                if f.endswith(".md"):
                    yield os.path.join(d, f)
    if os.path.exists(os.path.join(content, "digest.md")):
        yield os.path.join(content, "digest.md")


def rewrite(path, change):
    text = open(path, encoding="utf-8").read()
    new = change(text)
    if new != text:
        open(path, "w", encoding="utf-8").write(new)


DIRECTIVE = re.compile(r"^```register[ \t]+([\w-]+)[^\n]*\n.*?^```[ \t]*$", re.M | re.S)


def rename_field(content, reg, field, new):
    """Renames a register's field everywhere the content names it."""
    path = os.path.join(content, "registers", reg.name + ".yaml")

    def change(text):
        out, section = [], None
        for line in text.split("\n"):
            top = re.match(r"^([a-z]+):", line)
            if top:
                section = top.group(1)
                if section == "key":
                    line = re.sub(r"^key:\s*" + re.escape(field) + r"\s*$", "key: " + new, line)
                elif section == "map":
                    line = re.sub(r"(:\s*)" + re.escape(field) + r"(?=\s*[,}])", r"\g<1>" + new, line)
            elif section == "fields":
                line = re.sub(r"^  " + re.escape(field) + r":", "  " + new + ":", line)
            elif section == "map":
                line = re.sub(r"^(  [a-z_0-9]+:\s*)" + re.escape(field) + r"(\s*(#.*)?)$", r"\g<1>" + new + r"\g<2>", line)
                line = re.sub(r"(field:\s*)" + re.escape(field) + r"(?![\w-])", r"\g<1>" + new, line)
            elif section == "items":
                line = re.sub(r"^(\s*-?\s*)" + re.escape(field) + r":", r"\g<1>" + new + ":", line)
                line = re.sub(r"([{,]\s*)" + re.escape(field) + r":", r"\g<1>" + new + ":", line)
            out.append(line)
        text = "\n".join(out)
        if field == reg.key and not re.search(r"^key:", text, re.M):
            text = re.sub(r"^(title:.*)$", r"\g<1>\nkey: " + new, text, count=1, flags=re.M)
        return text

    rewrite(path, change)
    for doc in documents(content):
        rewrite(doc, lambda text: DIRECTIVE.sub(
            lambda m: re.sub(word(field), new, m.group(0)) if m.group(1) == reg.name else m.group(0), text))


def add_map(content, reg, canonical, own):
    """Maps canonical onto own without moving any row: into a flow map in
    place, or a new `map` at the end of the file. Returns the line a new
    entry of a block map took (rows below it move down one), or None."""
    path = os.path.join(content, "registers", reg.name + ".yaml")
    text = open(path, encoding="utf-8").read()
    if re.search(r"^map:\s*\{", text, re.M):
        text = re.sub(r"^map:\s*\{", "map: { " + canonical + ": " + own + ",", text, count=1, flags=re.M)
        inserted = None
    elif re.search(r"^map:\s*$", text, re.M):
        inserted = text[:re.search(r"^map:\s*$", text, re.M).end()].count("\n") + 2
        text = re.sub(r"^map:\s*$", "map:\n  " + canonical + ": " + own, text, count=1, flags=re.M)
    else:
        text = text.rstrip("\n") + "\nmap: { " + canonical + ": " + own + " }\n"
        inserted = None
    open(path, "w", encoding="utf-8").write(text)
    return inserted


def unshift(results, file, inserted):
    """The results as if the line inserted into file were not there."""
    if results is None or inserted is None:
        return results
    for r in results.values():
        r["flags"] = [f[:4] + ((f[4] - 1 if f[3] == file and f[4] and f[4] > inserted else f[4]),) + f[5:]
                      for f in r["flags"]]
    return results


def delete_register(content, reg):
    os.remove(os.path.join(content, "registers", reg.name + ".yaml"))
    for other in registers(content):
        def change(text):
            out = []
            for line in text.split("\n"):
                if re.search(r"register:\s*" + re.escape(reg.name) + r"(?![\w-])", line) and line.startswith("  "):
                    line = re.sub(r"type:\s*ref", "type: text", line)
                    line = re.sub(r",?\s*register:\s*" + re.escape(reg.name) + r"(?![\w-])", "", line)
                out.append(line)
            return "\n".join(out)
        rewrite(other.path, change)
    for doc in documents(content):
        def change(text):
            text = re.sub(r"^register:\s*" + re.escape(reg.name) + r"\s*\n", "", text, flags=re.M)
            text = DIRECTIVE.sub(lambda m: "" if m.group(1) == reg.name else m.group(0), text)
            if reg.name == "revisions":
                text = re.sub(r"^```revisions[^\n]*\n.*?^```[ \t]*\n", "", text, flags=re.M | re.S)
            return re.sub(r"\[([^\]]*)\]\(reg:" + re.escape(reg.name) + r"(/[^)]*)?\)", r"\g<1>", text)
        rewrite(doc, change)


def run_check(content):
    p = subprocess.run([POLICYGEN, "check", "-C", content, "--today", TODAY, "--format", "json"],
                       capture_output=True, text=True)
    if p.returncode not in (0, 1):
        return None, p.stderr.strip().split("\n")[:3]
    data = json.loads(p.stdout.replace(content, "CONTENT"))
    results = {}
    for r in data["rules"]:
        results[r["id"]] = {"outcome": r["outcome"], "needs": [n["need"] for n in r.get("missing_needs", [])],
                            "messages": [n["message"] for n in r.get("missing_needs", [])], "flags": []}
    for f in data["flags"]:
        results[f["rule"]]["flags"].append(
            (f["status"], f["severity"], f["due"], f["file"], f["line"], f["section"], f["message"]))
    return results, []


def complaints(flags):
    return {(f[0], f[2], f[3], f[4]) for f in flags if f[0] != "ok"}


def optional_needs(content):
    """rule -> the needs it declares optional (from policygen rules); a rule
    that reads no register (it reads the plan's text) has None."""
    p = subprocess.run([POLICYGEN, "rules", "-C", content, "--today", TODAY, "--format", "json"],
                       capture_output=True, text=True)
    out = {}
    for r in json.loads(p.stdout):
        opt, types = set(), {n["need"] for n in r["needs"] if "." not in n["need"] and n["optional"]}
        for n in r["needs"]:
            if n["optional"] or n["need"].split(".")[0] in types:
                opt.add(n["need"])
        out[r["id"]] = opt if r["needs"] else None
    return out


def judge(base, got, names, optional, label):
    """Failures of one mutation: names are the needs that may now be unmet."""
    if got is None:
        return []
    fails = []
    for rule, b in base.items():
        g = got.get(rule)
        if g is None:
            fails.append(f"{label}: rule {rule} is gone")
        elif g == b:
            continue
        elif g["outcome"] == "failed":
            fails.append(f"{label}: rule {rule} failed")
        elif g["outcome"] == "unchecked" and b["outcome"] == "unchecked":
            extra = set(g["needs"]) - set(b["needs"]) - names
            if extra:
                fails.append(f"{label}: rule {rule} is unchecked for more: {sorted(extra)}")
        elif g["outcome"] == "unchecked" and b["outcome"] != "unchecked":
            if not any(n in names for n in g["needs"]):
                fails.append(f"{label}: rule {rule} is unchecked for {g['needs']}, not for {sorted(names)}")
        elif g["outcome"] == "ran" and b["outcome"] == "ran" and rule in optional and optional[rule] is None:
            # a rule on the plan's text: deleting a register deletes its tables
            # from the plan, and the lines below them move up
            said = lambda flags: {(f[0], f[2], f[6]) for f in flags if f[0] != "ok"}
            new = said(g["flags"]) - said(b["flags"])
            if new:
                fails.append(f"{label}: rule {rule} (on the plan's text) complains anew: {sorted(new)[:2]}")
        elif g["outcome"] == "ran" and b["outcome"] == "ran" and names & (optional.get(rule) or set()):
            new = complaints(g["flags"]) - complaints(b["flags"])
            if new:
                fails.append(f"{label}: rule {rule} complains anew without its optional {sorted(names & optional[rule])}: {sorted(new)[:2]}")
        else:
            fails.append(f"{label}: rule {rule} changed ({b['outcome']} -> {g['outcome']}, "
                         f"{len(b['flags'])} -> {len(g['flags'])} flags)")
    return fails


def mutation(job):
    kind, reg_name, field = job
    work = tempfile.mkdtemp(prefix="mutate-")
    content = os.path.join(work, "c")
    try:
        shutil.copytree(SOURCE, content, symlinks=True)
        reg = next(r for r in registers(content) if r.name == reg_name)
        if kind == "delete":
            delete_register(content, reg)
            label = f"delete {reg_name}"
            names = {reg.type} | {f"{reg.type}.{c}" for c in TYPES.get(reg.type, ())} if reg.type else set()
            # a ref to it becomes text: the fields of other types that referred to it
            for other in registers(content):
                for f in other.fields:
                    c = other.canonical(f)
                    if c and other.type:
                        names.add(f"{other.type}.{c}")
            got, err = run_check(content)
            if got is None:
                return [f"{label}: the content no longer loads: {err}"]
            return judge(BASE, got, names, OPTIONAL, label)
        canonical = reg.canonical(field)
        new = field + "_x"
        rename_field(content, reg, field, new)
        label = f"rename {reg_name}.{field}"
        got, err = run_check(content)
        if got is None:
            return [f"{label}: the content no longer loads: {err}"]
        if not canonical or field in reg.mapped:
            # no rule reads it by this name (or its own map was renamed with it)
            return [] if got == BASE else judge(BASE, got, set(), {}, label)
        fails = judge(BASE, got, {f"{reg.type}.{canonical}"}, OPTIONAL, label)
        inserted = add_map(content, reg, canonical, new)
        again, err = run_check(content)
        again = unshift(again, "registers/" + reg.name + ".yaml", inserted)
        if again != BASE:
            changed = sorted(r for r in BASE if again is None or again.get(r) != BASE[r])
            fails.append(f"{label} with map {{ {canonical}: {new} }}: results differ from the original's "
                         f"({err or changed[:4]})")
        return fails
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    global BASE, OPTIONAL
    work = tempfile.mkdtemp(prefix="mutate-")
    try:
        content = os.path.join(work, "c")
        shutil.copytree(SOURCE, content, symlinks=True)
        BASE, err = run_check(content)
        OPTIONAL = optional_needs(content)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if BASE is None:
        print(f"mutation: {SOURCE} does not load: {err}")
        return 1
    jobs = []
    for reg in registers(SOURCE):
        jobs += [("rename", reg.name, f) for f in reg.fields]
        jobs.append(("delete", reg.name, None))
    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for result in pool.map(mutation, jobs):
            failed += bool(result)
            for f in result:
                print("FAIL " + f)
    renames = sum(1 for j in jobs if j[0] == "rename")
    print(f"mutation {SOURCE}: {len(jobs) - failed} passed, {failed} failed "
          f"({renames} field renames, {len(jobs) - renames} register deletions)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
