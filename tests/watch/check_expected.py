#!/usr/bin/env python3
# check_expected.py: runs `smbguard watch -r CAPTURE --json OUT` on every capture of expected.tsv and
# compares per-detection alert counts with the hand-written table, for the detections implemented.
# Rows of detections not implemented yet are skipped and listed.
# With --gen GEN_FIXTURES.py, first writes the generated fixtures into PCAPS (the table is then
# generated_expected.tsv): check_expected.py EXE TABLE PCAPS OUTDIR [--gen GEN_FIXTURES.py]
import collections, concurrent.futures, fnmatch, json, os, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import expected_table  # noqa: E402

IMPLEMENTED = {
    "ms17_010.probe", "ms17_010.vulnerable_response", "ms17_010.not_vulnerable_response",
    "doublepulsar.ping", "doublepulsar.implant_reply", "doublepulsar.payload_upload",
    "doublepulsar.uninstall", "eternalblue.exploit", "eternalblue.overflow", "eternalblue.pool_alloc",
    "wannacry.ipc_paths", "smb1.in_use", "wannacry.killswitch_dns", "wannacry.killswitch_http",
    "eternalblue.groom", "ms17_010.other_exploit", "wannacry.share_encryption", "smb.worm_scan",
    "smb1.client_only", "smb.exposed",
}
# Development aid: WATCH_ONLY=name,name checks only those detections (and not the exit code).
ONLY = set(filter(None, os.environ.get("WATCH_ONLY", "").split(",")))
if ONLY:
    IMPLEMENTED &= ONLY
EXIT3 = {"ms17_010.vulnerable_response", "ms17_010.other_exploit", "wannacry.share_encryption", "smb.worm_scan", "doublepulsar.implant_reply", "doublepulsar.payload_upload",
         "eternalblue.exploit", "eternalblue.overflow", "eternalblue.pool_alloc", "wannacry.ipc_paths",
         "wannacry.killswitch_dns", "wannacry.killswitch_http", "eternalblue.groom"}


# Extra `watch` options some captures are run with (as their table rows say).
EXTRA_ARGS = {
    "killswitch_dns_resolver.pcap": ["--resolver", "10.1.1.53"],
}


def main():
    exe, table, pcaps, outdir = sys.argv[1:5]
    rest = sys.argv[5:]
    if rest[:1] == ["--gen"]:
        os.makedirs(pcaps, exist_ok=True)
        g = subprocess.run([sys.executable, rest[1], pcaps])
        if g.returncode != 0:
            print(f"FAIL {rest[1]} exited {g.returncode}")
            return 1
    os.makedirs(outdir, exist_ok=True)
    expect = collections.defaultdict(int)      # (capture, detection) -> count
    must_zero = collections.defaultdict(set)   # capture -> detections that must not fire
    skipped = collections.Counter()
    captures = []
    for row in expected_table.rows(table):
        cap, det, cnt = row["capture"], row["detection"], int(row["count"])
        if cap not in captures:
            captures.append(cap)
        names = expected_table.must_not(row)
        if names is not None:
            for pat in names:
                for d in IMPLEMENTED:
                    if fnmatch.fnmatchcase(d, pat):
                        must_zero[cap].add(d)
                if not any(fnmatch.fnmatchcase(d, pat) for d in IMPLEMENTED):
                    skipped["must_not " + pat] += 1
            continue
        if det not in IMPLEMENTED:
            skipped[det] += 1
            continue
        expect[(cap, det)] += cnt

    def run(cap):
        out = os.path.join(outdir, cap + ".json")
        p = subprocess.run([exe, "watch", "-q", "-r", os.path.join(pcaps, cap), "--json", out] + EXTRA_ARGS.get(cap, []),
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        got = collections.Counter()
        if os.path.exists(out):
            with open(out) as f:
                for line in f:
                    rec = json.loads(line)
                    if rec.get("event_type") == "alert":
                        got[rec["alert"]["signature"]] += 1
        return cap, p.returncode, got, p.stderr

    fails, checks = [], 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as ex:
        for cap, rc, got, err in ex.map(run, [c for c in captures if os.path.exists(os.path.join(pcaps, c))]):
            if rc not in (0, 3):
                fails.append(f"{cap}: exit {rc}: {err.strip()}")
                continue
            for det in sorted(IMPLEMENTED):
                want = expect.get((cap, det))
                if want is None and det in must_zero[cap]:
                    want = 0
                if want is None:
                    continue
                checks += 1
                if got[det] != want:
                    fails.append(f"{cap}: {det}: got {got[det]}, table {want}")
            if ONLY:
                continue
            want_rc = 3 if any(expect.get((cap, d), 0) for d in EXIT3) else 0
            if any(got[d] for d in EXIT3 if (cap, d) not in expect and d not in must_zero[cap]):
                want_rc = 3  # an exit-3 detection the table says nothing about: counted above if wrong
            checks += 1
            if rc != want_rc:
                fails.append(f"{cap}: exit {rc}, want {want_rc}")
    missing = [c for c in captures if not os.path.exists(os.path.join(pcaps, c))]
    for c in missing:
        print(f"missing capture (not checked): {c}")
    for k, v in sorted(skipped.items()):
        print(f"skipped (not implemented): {k} ({v} rows)")
    for fl in fails:
        print("FAIL", fl)
    print(f"{checks} checks, {len(fails)} failures, {len(captures) - len(missing)} captures")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
