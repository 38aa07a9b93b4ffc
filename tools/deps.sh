#!/bin/sh
# Checks the Debian packages policygen needs to build, test and typeset.
# As root it installs the missing ones; otherwise it prints the command and fails.
set -eu

# Building: the libraries (HarfBuzz's subsetter and fontconfig cut the PDF
# fonts). Testing: poppler and qpdf (PDFs), nginx and Apache (hosting),
# chromium (pages under the CSP), zbar (the handout's QR code), libxml2's
# xmllint, curl and python3.
PACKAGES="pkg-config libcmark-gfm-dev libcmark-gfm-extensions-dev libyaml-dev liblua5.4-dev
libzip-dev libpango1.0-dev libcairo2-dev nettle-dev libmicrohttpd-dev libqrencode-dev
libgmime-3.0-dev libharfbuzz-dev libfontconfig-dev libcmocka-dev fonts-noto-cjk fonts-dejavu-core poppler-utils qpdf python3
chromium nginx apache2 zbar-tools libxml2-utils curl clang libclang-rt-14-dev"
# The browser tests run Node (puppeteer-core, axe-core from npm): Debian's
# nodejs and npm, unless a Node is already there (another one's npm would
# conflict with Debian's).
command -v node >/dev/null 2>&1 || PACKAGES="$PACKAGES nodejs"
command -v npm >/dev/null 2>&1 || PACKAGES="$PACKAGES npm"

missing=""
for pkg in $PACKAGES; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    [ "$status" = "installed" ] || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "policygen: missing Debian packages:$missing" >&2
    echo "policygen: install them with: sudo apt-get install -y$missing" >&2
    exit 1
fi

echo "policygen: installing missing Debian packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# Installing nginx or Apache would start it on port 80 (and the second would
# fail there): the tests start their own. Services stay stopped while we
# install, unless the machine already has a policy of its own.
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
# A fresh machine has no package lists yet; an old one may have stale lists.
apt-get update -qq >&2
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >&2
