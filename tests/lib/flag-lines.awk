# The lines of a `policygen check --format json` output that tests compare:
#   unchecked | RULE | NEED | FILE:LINE | MESSAGE   for each unmet need of a rule that cannot check
#   STATUS | SEVERITY | DUE | PLACE | MESSAGE    for each flag, in the order check gives them
# PLACE is FILE:LINE (relative to -v dir=CONTENT/), §SECTION, or -.
# Usage: awk -v dir="$content/" -f tests/lib/flag-lines.awk out.json
function unquote(v) {
    if (v == "null") return "-"
    if (substr(v, 1, 1) != "\"") return v
    v = substr(v, 2, length(v) - 2)
    gsub(/\\"/, "\"", v)
    gsub(/\\\\/, "\\", v)
    return v
}
# a rule that cannot check: one line per unmet need, before the flags
/^      "id": / && !inflags {
    rule = $0
    sub(/^      "id": "/, "", rule)
    sub(/",$/, "", rule)
}
/^          "[a-z_]+": / && !inflags {
    line = $0
    sub(/^          "/, "", line)
    key = line
    sub(/".*/, "", key)
    sub(/^[a-z_]+": /, "", line)
    sub(/,$/, "", line)
    n[key] = unquote(line)
    if (key == "line") {
        place = n["file"] == "-" ? "-" : n["file"] (n["line"] == "-" ? "" : ":" n["line"])
        print "unchecked | " rule " | " n["need"] " | " place " | " n["message"]
    }
}
/^  "flags": \[/ { inflags = 1; next }
inflags && /^      "[a-z_]+": / {
    line = $0
    sub(/^      "/, "", line)
    key = line
    sub(/".*/, "", key)
    sub(/^[a-z_]+": /, "", line)
    sub(/,$/, "", line)
    f[key] = unquote(line)
    if (key == "section") {
        place = "-"
        if (f["file"] != "-") {
            file = f["file"]
            if (index(file, dir) == 1) file = substr(file, length(dir) + 1)
            place = file ":" f["line"]
        } else if (f["section"] != "-") {
            place = "§" f["section"]
        }
        print f["status"] " | " f["severity"] " | " f["due"] " | " place " | " f["message"]
    }
}
