#!/bin/sh
# The rules on foreign registers (tests/mutation/mutate.py): every field of
# every register renamed, every register deleted, one at a time, in the example
# and in the second school. Runs the release build: it is hundreds of checks of
# rule semantics, which the sanitized builds of the other suites cover for memory.
set -u
cd "$(dirname "$0")/../.."
POLICYGEN_RELEASE=${POLICYGEN_RELEASE:-./policygen}
rc=0
for content in content tests/fixtures/school2; do
    python3 tests/mutation/mutate.py "$POLICYGEN_RELEASE" "$content" || rc=1
done
exit $rc
