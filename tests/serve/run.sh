#!/bin/sh
# policygen serve: a copy of tests/golden/site served on a free loopback port
# (--port 0; the port is read from the log), fetched with curl. A chapter
# edited shows within 3 s and the open event stream tells the pages; a
# broken register puts its diagnostics (escaped) above the last good page,
# and fixing it takes them away; hidden and new folders; path escapes,
# symbolic links in the output, methods and types; SIGINT and SIGTERM end it
# with exit 0 and remove its folder. Nothing listens beyond 127.0.0.1.
set -u
cd "$(dirname "$0")/../.."
POLICYGEN=${POLICYGEN:-build/san/policygen}
case $POLICYGEN in /*) ;; *) POLICYGEN=$PWD/$POLICYGEN ;; esac
work=$(mktemp -d)
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# The waits are long (a sanitized build on a loaded 2-core machine can take
# tens of seconds); they cost nothing when the build is quick.
# wait_for FILE PATTERN [SECONDS]: until FILE has a line matching PATTERN.
wait_for() {
    i=0
    while [ "$i" -lt $((${3:-60} * 10)) ]; do
        grep -q -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}
builds() { grep -c '^serve: \(built in\|the build failed\)' "$1"; }
# wait_builds LOG N: until LOG tells of N finished builds (60 s at most).
wait_builds() {
    i=0
    while [ "$i" -lt 600 ]; do
        [ "$(builds "$1")" -ge "$2" ] && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

# get PATH [curl options...]: the status in $code, the body in $work/body,
# the Content-Type in $type.
get() {
    path=$1
    shift
    out=$(curl -s --path-as-is -o "$work/body" -w '%{http_code} %{content_type}' "$@" "$base$path")
    code=${out%% *}
    type=${out#* }
}
expect_get() { # PATH CODE [TYPE]
    get "$1"
    if [ "$code" = "$2" ] && { [ -z "${3:-}" ] || [ "$type" = "$3" ]; }; then ok; else
        bad "GET $1: $code $type, expected $2 ${3:-}"
    fi
}
# wait_page PATH TEXT [absent]: until the page has TEXT (or has it no more), 30 s at most.
wait_page() {
    i=0
    while [ "$i" -lt 300 ]; do
        get "$1"
        if grep -qF -- "$2" "$work/body"; then [ -z "${3:-}" ] && return 0; else [ -n "${3:-}" ] && return 0; fi
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}
body_has() { if grep -qF -- "$1" "$work/body"; then ok; else bad "$2: no '$1'"; fi; }
body_lacks() { if grep -qF -- "$1" "$work/body"; then bad "$2: '$1'"; else ok; fi; }

cp -R tests/golden/site "$work/site"
mkdir "$work/tmp"
log=$work/log
TMPDIR=$work/tmp "$POLICYGEN" serve -C "$work/site" --port 0 --today 2026-11-28 >"$log" 2>&1 &
serve=$!
pids="$serve"
if wait_for "$log" '^serve: http://127\.0\.0\.1:[0-9]*/' && wait_builds "$log" 1; then ok; else
    bad "serve did not start and build"
    cat "$log"
    exit 1
fi
base=$(sed -n 's#^serve: \(http://127\.0\.0\.1:[0-9]*\)/.*#\1#p' "$log")
folder=$(ls -d "$work"/tmp/policygen-serve-*)
if [ -d "$folder" ]; then ok; else bad "no private folder in TMPDIR"; fi
if grep -q "^policygen: warning" "$log"; then bad "a warning on the loopback address"; else ok; fi

# Pages, with the reload script injected into the response only.
expect_get / 200 "text/html; charset=utf-8"
body_has '<script src="/_policygen/reload.js" data-build="' "the editions page"
body_has '<link rel="stylesheet" href="/_policygen/serve.css">' "the editions page"
expect_get /public/plan/scope.html 200 "text/html; charset=utf-8"
body_has '適用範圍' "the scope chapter"
body_lacks 'policygen-serve' "a good build's page"
if grep -rlq '_policygen' "$folder"; then bad "the reload script was written into the built files"; else ok; fi
expect_get /_policygen/reload.js 200 "text/javascript; charset=utf-8"
body_has "new EventSource('/_policygen/events')" "reload.js"
expect_get /_policygen/serve.css 200 "text/css; charset=utf-8"
expect_get /_policygen/other 404

# Types, folders, HEAD.
expect_get /public/assets/style.css 200 "text/css; charset=utf-8"
expect_get /public/registers/systems.csv 200 "text/csv; charset=utf-8"
expect_get /internal/status/flags.json 200 "application/json"
expect_get /internal/status/calendar.ics 200 "text/calendar; charset=utf-8"
expect_get /public/ 200 "text/html; charset=utf-8"
body_has '<script src="/_policygen/reload.js"' "a folder's index.html"
get /public
if [ "$code" = 301 ] && curl -s -o /dev/null -w '%{redirect_url}' "$base/public" | grep -q '/public/$'; then ok; else
    bad "GET /public: $code, not a redirect to /public/"
fi
expect_get /public/no-such-page.html 404 "text/html; charset=utf-8"
expect_get /public/pdf/isms-plan-V1.1.pdf 404
body_has "--pdf" "a missing PDF"
head=$(curl -s -I "$base/public/plan/scope.html")
if echo "$head" | grep -q '^HTTP/1.1 200' && echo "$head" | grep -qi '^content-type: text/html; charset=utf-8' &&
    ! echo "$head" | grep -q '<html'; then ok; else bad "HEAD: $head"; fi

# Only GET and HEAD.
for method in POST PUT DELETE PATCH OPTIONS; do
    out=$(curl -s -o /dev/null -X "$method" -d 'x=1' -w '%{http_code} %header{allow}' "$base/public/index.html")
    if [ "$out" = "405 GET, HEAD" ]; then ok; else bad "$method: $out, expected 405 with Allow: GET, HEAD"; fi
done

# The event stream, open like a page's.
curl -s -N "$base/_policygen/events" >"$work/events" &
events=$!
pids="$pids $events"
if wait_for "$work/events" '^data: ' 30; then ok; else bad "the event stream told nothing"; fi
first_id=$(sed -n 's/^data: //p' "$work/events" | head -1)

# A chapter edited: the page shows it within 3 s, and the stream tells of it.
n=$(builds "$log")
start=$(date +%s%N)
printf '\n本段為即時預覽測試而加。\n' >>"$work/site/plan/02-scope.md"
seen=""
while [ $((($(date +%s%N) - start) / 1000000)) -lt 3000 ]; do
    get /public/plan/scope.html
    if grep -q '本段為即時預覽測試而加' "$work/body"; then
        seen=$((($(date +%s%N) - start) / 1000000))
        break
    fi
    sleep 0.05
done
if [ -n "$seen" ]; then ok; echo "an edited chapter was served after $seen ms"; else bad "the edit did not show within 3 s"; fi
wait_builds "$log" $((n + 1))
if wait_for "$work/events" "^data: " 1 && [ "$(sed -n 's/^data: //p' "$work/events" | sort -u | wc -l)" -ge 2 ]; then ok; else
    bad "the event stream did not tell of the new build"
    cat "$work/events"
fi
get /public/plan/scope.html
if grep -q "data-build=\"$first_id\"" "$work/body"; then bad "the page still names the first build"; else ok; fi

# Hidden files (editors' swap files) change nothing.
n=$(builds "$log")
touch "$work/site/plan/.02-scope.md.swp" "$work/site/plan/02-scope.md~"
sleep 0.5
if [ "$(builds "$log")" -eq "$n" ] && ! grep -q 'swp changed' "$log"; then ok; else bad "a hidden file started a build"; fi
# A folder made after the start is watched: the content's own copy of the
# theme, whose layout then changes.
cp -R themes "$work/site/themes"
wait_builds "$log" $((n + 1))
sed -i 's|<footer class="site-footer">|<footer class="site-footer"><p>theme-marker</p>|' \
    "$work/site/themes/default/templates/layout.mustache"
wait_page /public/plan/scope.html theme-marker
body_has 'theme-marker' "a page after a template in a new folder changed"
rm -rf "$work/site/themes"
wait_page /public/plan/scope.html theme-marker absent
body_lacks 'theme-marker' "a page after the content's theme was removed"

# A broken register: the diagnostics, escaped, above the last good page.
cp "$work/site/registers/systems.yaml" "$work/systems.yaml"
sed -i 's|^    hours: 4$|    hours: 4\n    <i>x</i>: 1|' "$work/site/registers/systems.yaml"
line=$(grep -n '<i>x</i>' "$work/site/registers/systems.yaml" | cut -d: -f1)
if wait_for "$log" '^serve: the build failed.*the last good build is still served'; then ok; else bad "no failed build in the log"; tail -3 "$log"; fi
expect_get /public/plan/scope.html 200 "text/html; charset=utf-8"
body_has '<section id="policygen-serve" role="alert">' "the page after a failed build"
body_has "$work/site/registers/systems.yaml:$line:5: error: unknown field &#39;&lt;i&gt;x&lt;/i&gt;&#39;" "the diagnostic"
body_lacks '<i>x</i>' "the page after a failed build (unescaped)"
body_has '本段為即時預覽測試而加' "the last good page"
expect_get /public/no-such-page.html 404
body_has 'systems.yaml:' "a 404 page after a failed build"

# Fixed: the diagnostics go.
cp "$work/systems.yaml" "$work/site/registers/systems.yaml"
wait_page /public/plan/scope.html policygen-serve absent
expect_get /public/plan/scope.html 200
body_lacks 'policygen-serve' "the page after the fix"
body_has '本段為即時預覽測試而加' "the page after the fix"

# Nothing outside the output folder: dot segments, encoded or not, encoded
# separators, hidden files, and symbolic links planted in the output.
for site in "$folder"/site-*; do
    ln -s /etc/passwd "$site/public/leak.txt"
    ln -s /etc "$site/public/etc"
done
# Enough levels to reach / from wherever the folder is.
up=../../../../../../../../../../../../../../..
e2e=$(echo "$up" | sed 's/\.\./%2e%2e/g')
E2E=$(echo "$up" | sed 's/\.\./%2E%2E/g')
e2f=$(echo "$up" | sed 's|/|%2f|g')
e5c=$(echo "$up" | sed 's|/|%5c|g')
for path in "/$up/etc/passwd" "/public/$up/etc/passwd" "/$e2e/etc/passwd" "/public/$E2E/etc/passwd" \
    "/public%2f$e2f%2fetc%2fpasswd" "/$e2f%2fetc/passwd" "/$e5c%5cetc%5cpasswd" \
    /.policygen-output /public/./index.html //etc/passwd /public/index.html%00.css \
    /public/leak.txt /public/etc/passwd; do
    get "$path"
    case $code in
    400 | 403 | 404) ok ;;
    *) bad "GET $path was served ($code)" ;;
    esac
    body_lacks 'root:' "GET $path"
done
expect_get /public/leak.txt 403
expect_get /public/etc/passwd 403

# Another serve cannot listen on the same port.
port=${base##*:}
TMPDIR=$work/tmp "$POLICYGEN" serve -C "$work/site" --port "$port" >"$work/log2" 2>&1
rc=$?
if [ "$rc" -eq 2 ] && grep -q "policygen: error: cannot listen on 127.0.0.1 port $port \[serve\]" "$work/log2"; then ok; else
    bad "a port in use: exit $rc"
    cat "$work/log2"
fi

# SIGINT: exit 0, the event stream ends, the folder is gone.
kill -INT "$serve"
wait "$serve"
rc=$?
pids="$events"
if [ "$rc" -eq 0 ]; then ok; else bad "serve exited $rc after SIGINT"; tail -5 "$log"; fi
if [ -z "$(ls -A "$work/tmp")" ]; then ok; else bad "left behind after SIGINT: $(ls "$work/tmp")"; fi
if tail -1 "$log" | grep -qF "serve: stopped; removed $folder"; then ok; else bad "no stop message"; fi
sleep 0.2
if kill -0 "$events" 2>/dev/null; then bad "the event stream is still open"; else ok; fi

# The first build fails: every page says why (503), until it is fixed; SIGTERM.
sed -i 's|^    hours: 4$|    hours: 4\n    bogus: 1|' "$work/site/registers/systems.yaml"
log=$work/log3
TMPDIR=$work/tmp "$POLICYGEN" serve -C "$work/site" --port 0 --today 2026-11-28 >"$log" 2>&1 &
serve=$!
pids="$pids $serve"
wait_for "$log" '^serve: http://' && wait_builds "$log" 1
base=$(sed -n 's#^serve: \(http://127\.0\.0\.1:[0-9]*\)/.*#\1#p' "$log")
expect_get /public/index.html 503 "text/html; charset=utf-8"
body_has "There is no good build yet" "the page before a good build"
body_has "systems.yaml:$line:5: error: unknown field &#39;bogus&#39;" "the page before a good build"
cp "$work/systems.yaml" "$work/site/registers/systems.yaml"
wait_builds "$log" 2
expect_get /public/index.html 200
kill -TERM "$serve"
wait "$serve"
rc=$?
if [ "$rc" -eq 0 ] && [ -z "$(ls -A "$work/tmp")" ]; then ok; else bad "SIGTERM: exit $rc, left $(ls "$work/tmp")"; fi

# SIGINT during a build (PDFs take a while): it ends, no process of it is left.
log=$work/log4
TMPDIR=$work/tmp "$POLICYGEN" serve -C "$work/site" --port 0 --pdf >"$log" 2>&1 &
serve=$!
pids="$pids $serve"
wait_for "$log" '^serve: http://'
sleep 0.2
kill -INT "$serve"
wait "$serve"
rc=$?
sleep 0.2
if [ "$rc" -eq 0 ] && [ "$(builds "$log")" -eq 0 ] && [ -z "$(ls -A "$work/tmp")" ]; then ok; else
    bad "SIGINT during a build: exit $rc, $(builds "$log") builds, left $(ls "$work/tmp")"
fi
if pgrep -f "serve -C $work/site" >/dev/null; then bad "build processes outlived serve"; pgrep -af "serve -C $work/site"; else ok; fi

# Mistakes on the command line.
expect_exit() { # CODE LINE ARGS...: exit CODE and a line of stderr
    want=$1 line=$2
    shift 2
    TMPDIR=$work/tmp "$POLICYGEN" serve "$@" >"$work/err" 2>&1
    got=$?
    if [ "$got" -eq "$want" ] && grep -qxF -- "$line" "$work/err"; then ok; else
        bad "serve $*: exit $got, expected $want with '$line'"
        cat "$work/err"
    fi
}
expect_exit 2 "policygen: --bind takes an IPv4 or IPv6 address such as 127.0.0.1 or ::1, not 'localhost'" \
    -C "$work/site" --bind localhost
expect_exit 2 "policygen: --port takes a port number from 0 to 65535, not '70000'" -C "$work/site" --port 70000
expect_exit 3 "$work/nowhere: error: content folder not found [missing]" -C "$work/nowhere"
expect_exit 2 "$work/site/site.yaml: error: no edition 'intranet': site.yaml lists the editions to build [edition]" \
    -C "$work/site" --port 0 --edition intranet
# Any address but loopback is warned about (192.0.2.1, a documentation
# address, is not this machine's: nothing listens).
expect_exit 2 "policygen: warning: serving on 192.0.2.1, not on this machine only: anyone who can reach it can read every edition built, the internal one (not for the network) too, unencrypted [serve]" \
    -C "$work/site" --port 0 --bind 192.0.2.1
if [ -z "$(ls -A "$work/tmp")" ]; then ok; else bad "left behind after a refused start: $(ls "$work/tmp")"; fi
# Its folder may not lie inside the content folder (each build would start the next).
mkdir "$work/site/tmp"
TMPDIR=$work/site/tmp "$POLICYGEN" serve -C "$work/site" --port 0 >"$work/err" 2>&1
rc=$?
if [ "$rc" -eq 2 ] && grep -q "^$work/site/tmp/policygen-serve-.*: error: the output folder is inside the content folder" "$work/err" &&
    [ -z "$(ls -A "$work/site/tmp")" ]; then ok; else
    bad "a folder inside the content: exit $rc, left $(ls "$work/site/tmp")"
    cat "$work/err"
fi

echo "serve: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
