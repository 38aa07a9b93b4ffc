#!/bin/sh
# Makes the seed corpora in fuzz/corpus/ from content/ and the tests (run
# from the checkout; needs python3 for the zips, and clang: the docstore
# harness writes its own seeds). The corpora are committed: run this again
# only to refresh them.
set -eu
cd "$(dirname "$0")/.."
c=fuzz/corpus
rm -rf "$c"
mkdir -p "$c/yaml" "$c/markdown" "$c/docstore" "$c/template" "$c/zip" "$c/rules"

# Small files only: the fuzzer mutates them, it does not need big ones.
small() { find "$@" -type f -size -4k | LC_ALL=C sort; }

# (not the billion-laughs fixture: 200,000 nodes a run would slow the harness tenfold)
for f in $(small content/registers tests/registers/fixtures -name '*.yaml' ! -path '*billion*') content/site.yaml; do
    cp "$f" "$c/yaml/$(echo "$f" | tr / _)"
done
for f in $(small content/plan content/annexes tests/golden/site/plan tests/golden/site/annexes -name '*.md'); do
    cp "$f" "$c/markdown/$(echo "$f" | tr / _)"
done
for f in themes/default/templates/*.mustache; do
    cp "$f" "$c/template/$(basename "$f")"
done
printf '{{#items}}{{>p}}{{/items}}\n----\n<{{name}}>{{#a}}{{deep}}{{/a}}\n----\n{{$b}}x{{/b}}' >"$c/template/partials"
printf '{{<base}}{{$b}}{{{name}}}{{/b}}{{/base}}\n----\n\n----\n[{{$b}}{{/b}}]' >"$c/template/inherit"
printf '%s\n----\n{{n}}' '{{=<% %>=}}<% name %><%={{ }}=%>{{>*partial}}' >"$c/template/delimiters"

# The rules harness: byte 1 picks the register's name, byte 2 the rule
# (each in file-name order), the rest is the register. One seed for each
# rule that reads a register of the example.
regs=$(ls content/registers | sed -n 's/\.yaml$//p' | LC_ALL=C sort)
rules=$(ls lua-plugins | grep '\.lua$' | LC_ALL=C sort)
ri=0
for rule in $rules; do
    gi=0
    for reg in $regs; do
        if grep -q "registers\[\?[.\"']*$reg\b" "lua-plugins/$rule" && [ "$(wc -c <"content/registers/$reg.yaml")" -lt 4096 ]; then
            { printf "\\$(printf %03o "$gi")\\$(printf %03o "$ri")"; cat "content/registers/$reg.yaml"; } \
                >"$c/rules/${rule%.lua}-$reg"
            break
        fi
        gi=$((gi + 1))
    done
    ri=$((ri + 1))
done

# The documents' entries of the docstore harness's own content folder, as
# its load keeps them (each named by its document's id).
make --no-print-directory build/fuzz/docstore_fuzz >/dev/null
saved=$(mktemp -d)
: >"$saved/input"
POLICYGEN_FUZZ_SAVE=$saved build/fuzz/docstore_fuzz "$saved/input" >/dev/null 2>&1
for f in "$saved"/entry-*; do
    id=$(grep -ao 'one\|two\|form' "$f" | head -1)
    cp "$f" "$c/docstore/${id:-$(basename "$f")}"
done
rm -rf "$saved"

python3 - "$c/zip" <<'PY'
import sys, zipfile, stat
out = sys.argv[1]
def z(name, entries, **kw):
    with zipfile.ZipFile(f"{out}/{name}.zip", "w", zipfile.ZIP_DEFLATED) as f:
        for n, data, *mode in entries:
            i = zipfile.ZipInfo(n, (2025, 1, 2, 12, 0, 0))
            i.compress_type = zipfile.ZIP_DEFLATED if len(data) > 20 else zipfile.ZIP_STORED
            if mode:
                i.external_attr = mode[0] << 16
            f.writestr(i, data)
site = open("tests/golden/site/site.yaml", "rb").read()
z("release", [("content/", b""), ("content/site.yaml", site),
              ("content/plan/01-a.md", b"---\ntitle: A\n---\n## B\n"), ("manifest.json", b"{}")])
z("bundle", [("MANIFEST.sha256", b"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  a.txt\n"),
             ("a.txt", b"")])
z("link", [("content/x", b"/etc/passwd", stat.S_IFLNK | 0o777)])
z("dotdot", [("content/../x", b"x")])
z("nested", [("a", b"1"), ("a/b", b"2")])
PY
ls "$c"/* | wc -l
du -sh "$c"
