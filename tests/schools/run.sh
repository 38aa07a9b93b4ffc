#!/bin/sh
# Rules on any school: `policygen check` on the example (content/) and on a
# second school written apart from it (tests/fixtures/school2: its own chapter
# titles and register field names, a single-valued role field, five registers)
# gives exactly the lines of tests/schools/NAME.expect: every flag (each one
# asserted) and, for each rule that cannot check, its unmet needs. Also: the
# text output of an unchecked rule, `unchecked: error`, and `policygen rules`.
# UPDATE_EXPECT=1 rewrites the expect files (review the diff).
set -u
cd "$(dirname "$0")/../.."
POLICYGEN=${POLICYGEN:-build/san/policygen}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
TODAY=2026-11-28

for school in content:example tests/fixtures/school2:school2; do
    dir=${school%%:*}
    name=${school#*:}
    "$POLICYGEN" check -C "$dir" --today "$TODAY" --format json >"$work/$name.json" 2>"$work/$name.err"
    rc=$?
    if [ "$rc" -eq 1 ]; then ok; else bad "$name: check exited $rc, expected 1 (errors found)"; fi
    if grep -q -e 'rule-error' -e 'rule-load' -e 'rule-timeout' -e 'rule-memory' "$work/$name.err"; then
        bad "$name: a rule failed:"; grep 'rule-' "$work/$name.err" | head -5
    else ok; fi
    awk -v dir="$dir/" -f tests/lib/flag-lines.awk "$work/$name.json" >"$work/$name.got"
    if [ "${UPDATE_EXPECT:-0}" = 1 ]; then cp "$work/$name.got" "tests/schools/$name.expect"; fi
    if cmp -s "tests/schools/$name.expect" "$work/$name.got"; then ok; else
        bad "$name: the rules' results differ from tests/schools/$name.expect:"
        diff "tests/schools/$name.expect" "$work/$name.got" | head -20
    fi
done

# The second school: exactly the rules whose registers it does not keep are
# unchecked, each once; none of its own registers is reported missing.
unchecked=$(grep -o '"outcome": "unchecked"' "$work/school2.json" | wc -l)
[ "$unchecked" -eq 25 ] && ok || bad "school2: $unchecked rules unchecked, expected 25"
for kept in staff training assets management-reviews revisions; do
    if grep -q "^unchecked | [a-z-]* | $kept[ .]" "$work/school2.got"; then bad "school2: a rule says it lacks $kept"; else ok; fi
done
for rule in ciso-designated security-staff training-hours asset-inventory management-review plan-reviewed \
            resource-review plan-approved plan-coverage; do
    if grep -q "\"id\": \"$rule\"," "$work/school2.json" &&
       ! awk -v id="\"$rule\"," '$0 ~ "\"id\": " id { f = 1 } f && /"outcome"/ { print; exit }' "$work/school2.json" | grep -q '"ran"'; then
        bad "school2: $rule did not run"
    else ok; fi
done
# One line per unchecked rule in the text output, at the registers folder.
line="tests/fixtures/school2/registers: warning: cannot check「定期檢視防火牆政策」: needs a register of type firewall-reviews (防火牆政策檢視紀錄), and no register declares \`type: firewall-reviews\`: add it to the register that keeps them, or add one (policygen new writes its schema) (unchecked) [firewall-review]"
if grep -qxF -- "$line" "$work/school2.err"; then ok; else bad "no unchecked line for firewall-review:"; grep firewall "$work/school2.err"; fi
if grep -q '^check: .* from 40 rules, 25 of them unchecked on 2026-11-28$' "$work/school2.err"; then ok; else bad "summary"; tail -1 "$work/school2.err"; fi

# `unchecked: error` in site.yaml makes a rule that cannot check an error.
cp -R tests/fixtures/school2 "$work/strict"
printf 'unchecked: error\n' >>"$work/strict/site.yaml"
"$POLICYGEN" check -C "$work/strict" --today "$TODAY" >"$work/out" 2>&1
if grep -q "^$work/strict/registers: error: cannot check「定期檢視防火牆政策」" "$work/out"; then ok; else bad "unchecked: error did not make an error"; fi
sed -i 's/^unchecked: error$/unchecked: loud/' "$work/strict/site.yaml"
"$POLICYGEN" check -C "$work/strict" --today "$TODAY" >"$work/out" 2>&1
if [ $? -eq 3 ] && grep -q "error: 'unchecked' is warning (the default) or error, not 'loud' \[site-value\]" "$work/out"; then ok; else bad "a bad 'unchecked' value"; cat "$work/out"; fi

# A renamed field: the rule that needs it says which, where and how to add it.
cp -R tests/fixtures/school2 "$work/renamed"
sed -i 's/^  role:      /  function:  /; s/^    role: /    function: /' "$work/renamed/registers/people.yaml"
"$POLICYGEN" check -C "$work/renamed" --today "$TODAY" >"$work/out" 2>&1
want="$work/renamed/registers/people.yaml:8:15: error: map: this register has no field 'role' to hold staff.categories [register-type]"
if grep -qxF -- "$want" "$work/out"; then ok; else bad "map to a missing field:"; head -3 "$work/out"; fi
sed -i '/categories: role/d' "$work/renamed/registers/people.yaml"
"$POLICYGEN" check -C "$work/renamed" --today "$TODAY" >"$work/out" 2>&1
want="$work/renamed/registers/people.yaml:2: warning: cannot check「指定資通安全長」: needs staff.categories (list: 資安角色類別), and $work/renamed/registers/people.yaml has no field that holds it: add a field 'categories', or map one of yours (map: { categories: YOUR_FIELD }) (unchecked) [ciso-designated]"
if grep -qxF -- "$want" "$work/out"; then ok; else bad "unchecked for a missing field:"; grep ciso "$work/out"; fi

# `policygen rules`: needs met by which register and field, or what to add.
"$POLICYGEN" rules -C tests/fixtures/school2 --today "$TODAY" >"$work/rules.txt" 2>/dev/null
if grep -q '^          staff.categories  *ok  *tests/fixtures/school2/registers/people.yaml: role$' "$work/rules.txt" &&
   grep -q '^  needs   firewall-reviews  *MISSING  *needs a register of type firewall-reviews' "$work/rules.txt" &&
   grep -q '"required":{"一般使用者":3,"主管":3,"資訊人員":6,"資通安全兼辦人員":6}}; site.yaml: {"required":{"資通安全兼辦人員":6,"資訊人員":6,"一般使用者":3}}$' "$work/rules.txt"; then ok
else bad "policygen rules text"; grep -A3 -e '^ciso' -e '^firewall' "$work/rules.txt" | head -12; fi
"$POLICYGEN" rules -C tests/fixtures/school2 --today "$TODAY" --format json >"$work/rules.json" 2>/dev/null
if grep -q '"by": "tests/fixtures/school2/registers/courses.yaml: attendee"' "$work/rules.json" &&
   grep -q '"given": {' "$work/rules.json"; then ok; else bad "policygen rules --format json"; fi

echo "schools: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
