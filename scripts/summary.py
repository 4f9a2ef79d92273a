#!/usr/bin/env python3
"""Count test cases over meson testlog.json files and print 'N passed, N failed, N skipped'.

Tests speak TAP (cmocka with CMOCKA_MESSAGE_OUTPUT=TAP, the integration scripts, the fuzz
wrapper); each 'ok'/'not ok' line is one case. A test whose process failed without a TAP
'not ok' line (a crash, a timeout) counts as one more failure.
Exit status 1 when anything failed."""
import json
import re
import sys

TAP = re.compile(r'^(not ok|ok)\b(.*)$')
passed = failed = skipped = 0
failures = []
args = sys.argv[1:]
if args[:1] == ['--failed']:
    # builds that failed before their tests could run, counted by the caller
    failed += int(args[1])
    args = args[2:]
for path in args:
    try:
        lines = open(path).read().splitlines()
    except OSError as e:
        print(f"summary: {e}", file=sys.stderr)
        failed += 1
        continue
    for line in lines:
        try:
            t = json.loads(line)
        except ValueError:
            # a log cut short (a build dir changed under a running test): count, not crash
            failed += 1
            failures.append(f"{path}: unreadable line {line[:60]!r}")
            continue
        p = f = s = 0
        for out in (t.get('stdout') or '').splitlines():
            m = TAP.match(out.strip())
            if not m:
                continue
            if m.group(1) == 'not ok':
                f += 1
                failures.append(f"{t['name']}: {out.strip()}")
            elif '# SKIP' in m.group(2).upper():
                s += 1
            else:
                p += 1
        res = t.get('result')
        if res not in ('OK', 'SKIP', 'EXPECTEDFAIL') and f == 0:
            f += 1
            failures.append(f"{t['name']}: {res}")
        if p + f + s == 0:
            s += res == 'SKIP'
            p += res in ('OK', 'EXPECTEDFAIL')
        passed += p
        failed += f
        skipped += s
for x in failures:
    print("FAILED " + x)
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
