#!/bin/sh
# Hosting tests: the editions served by a real nginx and a real Apache (the
# Debian packages), each started here on 127.0.0.1 with free ports, its own
# configuration, pid and log files in a temporary folder, as root or not, and
# stopped at the end whatever happens.
#
#   - every page of every edition has nothing the Content-Security-Policy
#     would block (inline_scan.py);
#   - web.config is well-formed XML with the same headers as .htaccess;
#   - nginx and Apache with `policygen hosting` configurations, and Apache
#     with only the edition's own .htaccess (AllowOverride All): headers,
#     types and charset, caching, no listings, the hosting files, dot files,
#     symbolic links and paths outside the root refused, access control
#     (address ranges, basic authentication, both);
#   - every page of the public edition loads in Chromium under the CSP with
#     no violation, console error or failed request (csp_pages.js), and a
#     page with inline script and style does raise violations.
# Two content folders: content/ (URLs with a sub-path) and a copy of
# tests/golden/site with hosting settings of its own (URLs at the root).
# Prints `hosting: N passed, M failed`.
set -u
cd "$(dirname "$0")/../.."
POLICYGEN=${POLICYGEN:-build/san/policygen}
case $POLICYGEN in /*) ;; *) POLICYGEN=$PWD/$POLICYGEN ;; esac
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
work=$(mktemp -d)
chmod 755 "$work" # the servers' workers read the editions from here
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

stop_servers() {
    for pidfile in "$work/nginx/nginx.pid" "$work/apache/apache.pid"; do
        [ -s "$pidfile" ] || continue
        pid=$(cat "$pidfile")
        kill "$pid" 2>/dev/null
        i=0
        while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
        kill -9 "$pid" 2>/dev/null
    done
}
finish() {
    stop_servers
    [ "${KEEP:-}" = 1 ] && echo "kept $work" || rm -rf "$work"
}
trap finish EXIT
trap 'exit 1' INT TERM

for tool in nginx apache2 curl node htpasswd xmllint python3; do
    command -v "$tool" >/dev/null || PATH=$PATH:/usr/sbin
    command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed (sh tools/deps.sh)"; echo "hosting: 0 passed, 1 failed"; exit 1; }
done

# Free TCP ports on 127.0.0.1, as many as asked.
ports=$(python3 -c '
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks: s.close()' 8)
set -- $ports
N_PUB=$1 N_STAFF=$2 N_G_STAFF=$3 N_G_INT=$4 A_PUB=$5 A_G_INT=$6 A_HT_PUB=$7 A_HT_G=$8

# ---- the sites ----

if ! "$POLICYGEN" build -C content -o "$work/out" --today 2026-11-28 --no-pdf >"$work/build.log" 2>&1; then
    cat "$work/build.log"; echo "hosting: 0 passed, 1 failed"; exit 1
fi
cp -R tests/golden/site "$work/g"
htpasswd -bcm "$work/htpasswd" hosting-tester 'correct horse' 2>/dev/null
chmod 644 "$work/htpasswd"
cat >>"$work/g/site.yaml" <<EOF
hosting:
  public: { url: "http://127.0.0.1/" }
  staff: { url: "http://127.0.0.1/", allow: [127.0.0.1/32, "::1"] }
  internal:
    url: http://127.0.0.1/
    allow: [127.0.0.0/8]
    auth: { realm: Test internal, user_file: $work/htpasswd }
EOF
if ! "$POLICYGEN" build -C "$work/g" -o "$work/gout" --today 2026-11-28 --no-pdf >"$work/gbuild.log" 2>&1; then
    cat "$work/gbuild.log"; echo "hosting: 0 passed, 1 failed"; exit 1
fi

# What the servers serve: copies, with probes the editions do not have (a
# script, JSON, a folder without index.html, a link out of the root, a page
# with inline script and style).
mkdir -p "$work/www"
cp -R "$work/out/public" "$work/www/public"
cp -R "$work/out/staff" "$work/www/staff"
cp -R "$work/gout/staff" "$work/www/gstaff"
cp -R "$work/gout/internal" "$work/www/ginternal"
for d in public gstaff; do
    printf 'document.documentElement.dataset.probe = "1";\n' >"$work/www/$d/assets/probe.js"
    printf '{"probe": "中文"}\n' >"$work/www/$d/probe.json"
    mkdir -p "$work/www/$d/empty-folder"
    printf 'x\n' >"$work/www/$d/empty-folder/file.txt"
    ln -s /etc/passwd "$work/www/$d/linked.txt"
    printf '<!DOCTYPE html><html><head><title>probe</title><style>p{color:red}</style></head><body><p>probe</p><script>document.title="ran"</script></body></html>\n' >"$work/www/$d/csp-probe.html"
done
chmod -R a+rX "$work/www"

# ---- static checks ----

if python3 tests/hosting/inline_scan.py "$work/out" "$work/gout" >"$work/scan.log" 2>&1; then ok; else bad "inline script, style or handlers in pages:"; sed 's/^/    /' "$work/scan.log" | tail -20; fi

headers_of_htaccess() { sed -n 's/^ *Header always set \([^ ]*\) "\(.*\)"$/\1: \2/p' "$1" | grep -v '^Cache-Control' | LC_ALL=C sort; }
headers_of_web_config() {
    python3 - "$1" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
for add in root.find("system.webServer").find("httpProtocol").find("customHeaders").findall("add"):
    if add.get("name") != "Cache-Control":
        print(add.get("name") + ": " + add.get("value"))
PY
}
for ed in public staff internal; do
    if xmllint --noout "$work/out/$ed/web.config" 2>"$work/xml.log"; then ok; else bad "$ed/web.config is not well-formed XML"; cat "$work/xml.log"; fi
    headers_of_htaccess "$work/out/$ed/.htaccess" >"$work/h1"
    headers_of_web_config "$work/out/$ed/web.config" | LC_ALL=C sort >"$work/h2"
    if [ -s "$work/h1" ] && cmp -s "$work/h1" "$work/h2"; then ok; else bad "$ed: web.config and .htaccess send different headers"; diff "$work/h1" "$work/h2"; fi
done
# In place: the address ranges of site.yaml; without them, a staff or
# internal edition refuses everyone.
if grep -qx 'Require ip 127.0.0.1/32 ::1' "$work/gout/staff/.htaccess" &&
    grep -q '<add ipAddress="127.0.0.1" subnetMask="255.255.255.255" allowed="true" />' "$work/gout/staff/web.config"; then ok; else bad "the fixture's staff edition does not carry its address ranges"; fi
"$POLICYGEN" build -C tests/golden/site -o "$work/plain" --today 2026-11-28 --no-pdf >/dev/null 2>&1
if grep -qx 'Require all denied' "$work/plain/staff/.htaccess" && grep -q '<ipSecurity allowUnlisted="false">' "$work/plain/internal/web.config" &&
    grep -qx 'Require all granted' "$work/plain/public/.htaccess"; then ok; else bad "a staff or internal edition without access control is not refused in place"; fi

# ---- nginx ----

conf() { # SERVER CONTENT EDITION ROOT PORT -> the configuration on stdout
    "$POLICYGEN" hosting "$1" -C "$2" --edition "$3" --root "$4" --listen "127.0.0.1:$5" 2>"$work/conf.err" ||
        bad "policygen hosting $*: $(cat "$work/conf.err")" >&2
}
mkdir -p "$work/nginx/tmp"
{
    conf nginx content public "$work/www/public" "$N_PUB"
    conf nginx content staff "$work/www/staff" "$N_STAFF"
    conf nginx "$work/g" staff "$work/www/gstaff" "$N_G_STAFF"
    conf nginx "$work/g" internal "$work/www/ginternal" "$N_G_INT"
} >"$work/nginx/sites.conf"
user=""
[ "$(id -u)" -eq 0 ] && user="user nobody nogroup;"
T=$work/nginx/tmp
cat >"$work/nginx/nginx.conf" <<EOF
$user
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 64; }
http {
    access_log $work/nginx/access.log;
    client_body_temp_path $T/body;
    proxy_temp_path $T/proxy;
    fastcgi_temp_path $T/fastcgi;
    uwsgi_temp_path $T/uwsgi;
    scgi_temp_path $T/scgi;
    include $work/nginx/sites.conf;
}
EOF
if nginx -t -c "$work/nginx/nginx.conf" -p "$work/nginx" >"$work/nginx/test.log" 2>&1 &&
    nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" 2>>"$work/nginx/test.log"; then ok; else bad "nginx did not start:"; sed 's/^/    /' "$work/nginx/test.log"; fi

# ---- Apache ----

mkdir -p "$work/apache/docroot"
: >"$work/apache/mime.types"
apache_user=""
[ "$(id -u)" -eq 0 ] && apache_user="User nobody
Group nogroup"
{
    conf apache content public "$work/www/public" "$A_PUB"
    conf apache "$work/g" internal "$work/www/ginternal" "$A_G_INT"
} >"$work/apache/sites.conf"
M=/usr/lib/apache2/modules
cat >"$work/apache/apache.conf" <<EOF
ServerRoot $work/apache
ServerName 127.0.0.1
PidFile $work/apache/apache.pid
DefaultRuntimeDir $work/apache
Mutex file:$work/apache default
ErrorLog $work/apache/error.log
LogLevel warn
# no types but those the configurations give
TypesConfig $work/apache/mime.types
$apache_user
LoadModule mpm_event_module $M/mod_mpm_event.so
LoadModule authz_core_module $M/mod_authz_core.so
LoadModule authz_host_module $M/mod_authz_host.so
LoadModule authz_user_module $M/mod_authz_user.so
LoadModule authn_core_module $M/mod_authn_core.so
LoadModule authn_file_module $M/mod_authn_file.so
LoadModule auth_basic_module $M/mod_auth_basic.so
LoadModule mime_module $M/mod_mime.so
LoadModule headers_module $M/mod_headers.so
LoadModule dir_module $M/mod_dir.so
LoadModule alias_module $M/mod_alias.so
LoadModule autoindex_module $M/mod_autoindex.so
StartServers 1
ServerLimit 1
ThreadsPerChild 8
MaxRequestWorkers 8
Listen 127.0.0.1:$A_PUB
Listen 127.0.0.1:$A_G_INT
Listen 127.0.0.1:$A_HT_PUB
Listen 127.0.0.1:$A_HT_G
DocumentRoot $work/apache/docroot
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory $work/apache/docroot>
    Require all granted
</Directory>
Include $work/apache/sites.conf
# The editions' own .htaccess, as on a server one cannot configure: the
# directory only lets them work (listings on, so their refusal is tested).
<VirtualHost 127.0.0.1:$A_HT_PUB>
    DocumentRoot $work/www/public
    <Directory $work/www/public>
        Options Indexes FollowSymLinks
        AllowOverride All
        Require all granted
    </Directory>
</VirtualHost>
<VirtualHost 127.0.0.1:$A_HT_G>
    DocumentRoot $work/www/gstaff
    <Directory $work/www/gstaff>
        Options Indexes FollowSymLinks
        AllowOverride All
        Require all granted
    </Directory>
</VirtualHost>
EOF
if apache2 -t -f "$work/apache/apache.conf" >"$work/apache/test.log" 2>&1 &&
    apache2 -f "$work/apache/apache.conf" -k start >>"$work/apache/test.log" 2>&1; then ok; else bad "Apache did not start:"; cat "$work/apache/test.log" "$work/apache/error.log" 2>/dev/null | sed 's/^/    /'; fi

# Both answer within a few seconds.
for port in "$N_PUB" "$A_PUB" "$A_HT_PUB"; do
    i=0
    until curl -s -o /dev/null "http://127.0.0.1:$port/" || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
done

# ---- requests ----

# fetch URL [curl options]: status in $code, headers in $work/h, body in $work/b
fetch() {
    url=$1
    shift
    code=$(curl -s --path-as-is -o "$work/b" -D "$work/h" -w '%{http_code}' "$@" "$url")
}
header() { tr -d '\r' <"$work/h" | sed -n "s/^$1: //Ip" | head -1; }
CSP=$(sed -n 's/^Header always set Content-Security-Policy "\(.*\)"$/\1/p' "$work/out/public/.htaccess")

expect_code() { # WANT... (any of them)
    for want in "$@"; do [ "$code" = "$want" ] && { ok; return 0; }; done
    bad "$url: HTTP $code, expected $*"
    return 1
}
expect_header() { # NAME VALUE
    got=$(header "$1")
    if [ "$got" = "$2" ]; then ok; else bad "$url: $1 is '$got', expected '$2'"; fi
}
security_headers() {
    expect_header Content-Security-Policy "$CSP"
    expect_header X-Content-Type-Options nosniff
    expect_header Referrer-Policy same-origin
    expect_header X-Frame-Options DENY
}

# A public edition served at BASE (ending in /): WHO says which server.
check_public() {
    base=$1
    fetch "${base}index.html"
    expect_code 200 && security_headers
    expect_header Content-Type "text/html; charset=utf-8"
    expect_header Cache-Control "no-cache"
    fetch "${base}assets/style.css"
    expect_code 200
    expect_header Content-Type "text/css; charset=utf-8"
    expect_header Cache-Control "public, max-age=86400"
    security_headers
    fetch "${base}assets/probe.js"
    expect_header Content-Type "text/javascript; charset=utf-8"
    fetch "${base}registers/revisions.csv"
    expect_header Content-Type "text/csv; charset=utf-8"
    fetch "${base}probe.json"
    expect_header Content-Type "application/json; charset=utf-8"
    fetch "${base}feed.xml"
    expect_code 200
    expect_header Content-Type "application/atom+xml; charset=utf-8"
    fetch "${base}empty-folder/"
    expect_code 403 404
    if grep -q 'Index of' "$work/b"; then bad "$url: a directory listing"; else ok; fi
    for hidden in .htaccess web.config linked.txt; do
        fetch "$base$hidden"
        expect_code 403 404
    done
    if grep -q '^root:' "$work/b"; then bad "${base}linked.txt served /etc/passwd"; else ok; fi
    for escape in "../../../../../../etc/passwd" "%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd" \
        "..%2f..%2f..%2f..%2fetc%2fpasswd" "assets/..%2f..%2f..%2f..%2f..%2fetc/passwd"; do
        fetch "$base$escape"
        expect_code 400 403 404
        if grep -q '^root:' "$work/b"; then bad "$url served /etc/passwd"; else ok; fi
    done
}

check_public "http://127.0.0.1:$N_PUB/isms/"
check_public "http://127.0.0.1:$A_PUB/isms/"
check_public "http://127.0.0.1:$A_HT_PUB/"
# Outside the edition's path, nothing.
fetch "http://127.0.0.1:$N_PUB/"
expect_code 404

# content/'s staff edition admits its campus networks only: not loopback.
fetch "http://127.0.0.1:$N_STAFF/isms/staff/index.html"
expect_code 403 && security_headers
# The fixture's staff edition admits loopback, with private caching.
for base in "http://127.0.0.1:$N_G_STAFF/" "http://127.0.0.1:$A_HT_G/"; do
    fetch "${base}index.html"
    expect_code 200 && expect_header Cache-Control "private, no-cache"
    fetch "${base}assets/style.css"
    expect_header Cache-Control "private, max-age=86400"
    fetch "${base}.htaccess"
    expect_code 403 404
done
# The fixture's internal edition: loopback and signed in.
for base in "http://127.0.0.1:$N_G_INT/" "http://127.0.0.1:$A_G_INT/"; do
    fetch "${base}index.html"
    expect_code 401
    fetch "${base}index.html" -u 'hosting-tester:wrong'
    expect_code 401
    fetch "${base}index.html" -u 'hosting-tester:correct horse'
    expect_code 200 && security_headers
    fetch "${base}status/calendar.ics" -u 'hosting-tester:correct horse'
    expect_header Content-Type "text/calendar; charset=utf-8"
    fetch "${base}status/flags.json" -u 'hosting-tester:correct horse'
    expect_header Content-Type "application/json; charset=utf-8"
done

# ---- Chromium: every page of the public edition under the CSP ----

(cd "$work/www/public" && find . -name '*.html' ! -name csp-probe.html | LC_ALL=C sort) |
    sed "s#^\./#http://127.0.0.1:$N_PUB/isms/#" >"$work/pages"
echo "http://127.0.0.1:$A_HT_PUB/index.html" >>"$work/pages"
npages=$(wc -l <"$work/pages")
if [ "$npages" -lt 40 ]; then bad "only $npages pages to load"; else ok; fi
if node tests/hosting/csp_pages.js "$work/pages" "http://127.0.0.1:$N_PUB/isms/csp-probe.html" >"$work/csp.log" 2>&1; then
    ok
else
    bad "pages under the CSP in Chromium:"
    sed 's/^/    /' "$work/csp.log" | tail -30
fi
tail -1 "$work/csp.log"

echo "hosting: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
