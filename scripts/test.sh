#!/usr/bin/env bash
# The README's test command (npm test): typecheck, dead-code check, bun tests, the MLX server's Python tests.
# Ends with one line "tests: N passed, N failed, N skipped" across all of them.
set -uo pipefail
cd "$(dirname "$0")/.."
BUN=node_modules/.bin/bun
log=$(mktemp)
trap 'rm -f "$log"' EXIT

pass=0 fail=0 skip=0 rc=0

echo "== typecheck"
if $BUN x tsc --noEmit; then pass=$((pass + 1)); else fail=$((fail + 1)); rc=1; fi

echo "== dead code (knip, knip.jsonc)"
if node_modules/.bin/knip --no-progress; then pass=$((pass + 1)); else fail=$((fail + 1)); rc=1; fi

echo "== bun test"
# bunfig.toml cannot set the per-test timeout; the end-to-end tests need more than the 5 s default.
$BUN test --timeout 120000 "$@" 2>&1 | tee "$log"
brc=${PIPESTATUS[0]}
num() { grep -E "^ *[0-9]+ $1\$" "$log" | tail -1 | tr -dc '0-9'; }
p=$(num pass) f=$(num fail) s=$(num skip) t=$(num todo)
pass=$((pass + ${p:-0})) skip=$((skip + ${s:-0} + ${t:-0}))
f=${f:-0}
# bun failed without counting a failure (load error, no tests): still a failure.
if [ "$brc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
fail=$((fail + f))
[ "$brc" -ne 0 ] && rc=1

if [ -d mlx ] && ls mlx/tests/test_*.py >/dev/null 2>&1; then
  echo "== python unittest (mlx)"
  python3 -m unittest discover -s mlx/tests -t mlx 2>&1 | tee "$log"
  prc=${PIPESTATUS[0]}
  ran=$(grep -E "^Ran [0-9]+ test" "$log" | tail -1 | sed -E "s/^Ran ([0-9]+).*/\1/")
  pf=$(grep -oE "(failures|errors)=[0-9]+" "$log" | awk -F= '{ n += $2 } END { print n + 0 }')
  ps=$(grep -oE "skipped=[0-9]+" "$log" | cut -d= -f2)
  ran=${ran:-0} pf=${pf:-0} ps=${ps:-0}
  if [ "$prc" -ne 0 ] && [ "$pf" -eq 0 ]; then pf=1; fi
  pass=$((pass + ran - pf - ps)) fail=$((fail + pf)) skip=$((skip + ps))
  [ "$prc" -ne 0 ] && rc=1
fi

echo "tests: ${pass} passed, ${fail} failed, ${skip} skipped"
exit "$rc"
