#!/usr/bin/env python3
# bench/watch_expect.py: the correctness gate of the watch benchmark (decisions.md 11: a watch run
# counts only when its alert counts equal the hand-written table times the copies).
#
#   watch_expect.py TABLE K SMBGUARD EVE.json CAPTURE [CAPTURE...]
#
# For every detection named in TABLE (tests/watch/expected.tsv: positive rows, and the names or
# patterns of must_not rows), the expected count of the big capture is K x the sum over the chosen
# captures of the table's counts. The table is read as listing every alert a capture raises: a
# detection a capture's rows do not name (or name in a must_not row) is expected 0 there. Alerts in
# EVE.json are counted per alert.signature and compared exactly, for every detection the running
# binary knows (its name is a string in the binary; the detector is being extended in parallel:
# names it lacks are printed as skipped). A mismatch is printed with the captures whose rows are
# silent about that detection (where the reading "silent = 0" is the one being tested).
# An alert whose signature the table never names is a mismatch. Exit 0 when the run counts, 1 if not.
import collections
import fnmatch
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "watch"))
import expected_table  # noqa: E402


def main():
    table, k, exe, eve = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    chosen = sys.argv[5:]
    rows = list(expected_table.rows(table))
    names, patterns = set(), set()
    for r in rows:
        det = r["detection"]
        pats = expected_table.must_not(r)
        if pats is not None:
            patterns.update(pats)
            names.update(p for p in pats if not any(ch in p for ch in "*?["))
        else:
            names.add(det)
    with open(exe, "rb") as f:
        blob = f.read()
    known = {n for n in names if b"\0" + n.encode() + b"\0" in blob}

    stated = collections.defaultdict(set)   # detection -> captures that state it
    want = collections.Counter()            # detection -> per-copy expected
    for r in rows:
        cap, det, cnt, attrs = r["capture"], r["detection"], int(r["count"]), r["attributes"]
        if cap not in chosen:
            continue
        if det in ("none_exit3", "none_info") or (cnt == 0 and attrs.startswith("must_not")):
            pats = attrs[len("must_not="):].split(",") if attrs.startswith("must_not=") else [det]
            for n in names:
                if any(fnmatch.fnmatchcase(n, p) for p in pats):
                    stated[n].add(cap)
        else:
            stated[det].add(cap)
            want[det] += cnt
    missing = [c for c in chosen if not any(r["capture"] == c for r in rows)]
    if missing:
        print(f"  captures without table rows: {', '.join(missing)}")

    got = collections.Counter()
    with open(eve) as f:
        for line in f:
            rec = json.loads(line)
            if rec.get("event_type") == "alert":
                got[rec["alert"]["signature"]] += 1

    ok = True
    print(f"  {'detection':34} {'alerts':>8} {'table x ' + str(k):>10}  check")
    for n in sorted(names | set(got)):
        exp = want[n] * k
        if n not in names:
            print(f"  {n:34} {got[n]:8} {'-':>10}  MISMATCH: signature not named in the table")
            ok = False
            continue
        if n not in known:
            print(f"  {n:34} {got[n]:8} {exp:10}  skipped: the running binary does not know it")
            continue
        res = "ok" if got[n] == exp else "MISMATCH"
        if got[n] != exp:
            ok = False
            silent = [c for c in chosen if c not in stated[n]]
            if silent:
                res += f" (table rows silent, read as 0, for: {', '.join(silent)})"
        print(f"  {n:34} {got[n]:8} {exp:10}  {res}")
    print(f"  alert counts = table x {k}: {'yes' if ok else 'NO: THIS RUN DOES NOT COUNT'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
