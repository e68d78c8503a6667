#!/usr/bin/env python3
"""nmapdiff.py SMBGUARD_JSON REPORT [--require OUTCOME,...]
               --pass LABEL NMAP_NORMAL NMAP_DEBUG ADDR=PEER=NMAP_EXPECTED... [--pass ...]

Differential check of smbguard against nmap 7.93's smb-vuln-ms17-010 + smb-double-pulsar-backdoor
(run with -d, --script-args vulns.showall), decisions.md section 11:

  nmap VULNERABLE      <-> vulnerable / infected (doublepulsar)
  nmap NOT VULNERABLE  <-> patched, not_windows, smb1_disabled; where nmap never checked (no probe
                           answer in its debug log) and we say access_denied or unknown, the
                           disagreement is recorded as ours being right
  nmap silent          <-> not_windows or unknown

nmap's outcome for a host is read from its normal output (the State: lines) and its debug log:
  VULNERABLE     either script says State: VULNERABLE
  silent         smb-vuln-ms17-010 printed nothing (not run, script timeout), or its check fell
                 through on a status it does not know ("Error code received:c0000002", impacket's
                 STATUS_NOT_IMPLEMENTED): nmap 7.93 with vulns.showall then prints a NOT VULNERABLE
                 with no check result, without showall nothing (measured; lab-notes calls it silent)
  NOT VULNERABLE otherwise; "checked" when its debug log shows the probe answer
                 (STATUS_INVALID_HANDLE / STATUS_ACCESS_DENIED), "never checked" otherwise. Where
                 nmap never checked and we hold the probe answer (nt_status), our verdict is
                 recorded as right too (nmap's NOT VULNERABLE there is no claim).

ADDR=PEER=NMAP_EXPECTED: the hand-written expectation of nmap's outcome for each lab peer
(VULNERABLE, NOT_VULNERABLE, SILENT), so a change in the reference is caught too. Each --pass is
one nmap run (e.g. default logins, then smbbasic=1). --require: outcomes that must each appear at
least once over all passes. Writes REPORT (one table); exits 1 when any row breaks the mapping or
an expectation, or a required outcome is missing.
"""
import json
import re
import sys


def parse_nmap(normal, debug):
    hosts = {}
    cur = None
    script = None
    for line in normal.splitlines():
        m = re.match(r"Nmap scan report for (\S+)", line)
        if m:
            cur = hosts.setdefault(m.group(1), {"ms17": None, "dp": None, "port": None})
            script = None
            continue
        if cur is None:
            continue
        m = re.match(r"(\d+)/tcp\s+(\S+)", line)
        if m:
            cur["port"] = m.group(2)
        m = re.match(r"\|_?\s?(smb-vuln-ms17-010|smb-double-pulsar-backdoor):", line)
        if m:
            script = "ms17" if m.group(1) == "smb-vuln-ms17-010" else "dp"
            cur[script] = "printed"
            continue
        m = re.search(r"State: (NOT VULNERABLE|VULNERABLE|LIKELY VULNERABLE)", line)
        if m and script:
            cur[script] = m.group(1)
    dbg = {}
    for line in debug.splitlines():
        m = re.match(r"NSE: \[(smb-vuln-ms17-010|smb-double-pulsar-backdoor)(?: M:\w+)? (\S+)\] (.*)", line)
        if m:
            dbg.setdefault(m.group(2), []).append((m.group(1), m.group(3)))
    return hosts, dbg


def outcome(h, lines):
    ms17 = [t for s, t in lines if s == "smb-vuln-ms17-010"]
    if h is None:
        return "SILENT", "no nmap report"
    if "VULNERABLE" in (h["ms17"], h["dp"]):
        which = [n for n, k in (("ms17-010", "ms17"), ("double-pulsar", "dp")) if h[k] == "VULNERABLE"]
        return "VULNERABLE", "State: VULNERABLE (" + ", ".join(which) + ")"
    if h["ms17"] is None:
        return "SILENT", f"smb-vuln-ms17-010 printed nothing (port {h['port']})"
    fell = [t for t in ms17 if t.startswith("Error code received")]
    if fell:
        return "SILENT", f"check fell through: {fell[0]}"
    checked = [t for t in ms17 if re.search(r"STATUS_\w+ response received", t)]
    if checked:
        return "NOT_VULNERABLE", "checked: " + checked[0]
    why = [t for t in ms17 if "Couldn't" in t or "Could not" in t or "rror" in t]
    return "NOT_VULNERABLE", "never checked: " + (why[0] if why else "no probe answer in debug log")


def ours_ok(nm, detail, rec):
    v = rec.get("verdict")
    dp = rec.get("doublepulsar")
    if nm == "VULNERABLE":
        return (v == "vulnerable" or dp == "infected"), "agree" if (v == "vulnerable" or dp == "infected") else "MISMATCH"
    if nm == "NOT_VULNERABLE":
        if v in ("patched", "not_windows", "smb1_disabled") and dp != "infected":
            return True, "agree"
        if v in ("access_denied", "unknown") and detail.startswith("never checked"):
            return True, "disagree: ours right (nmap never checked)"
        if detail.startswith("never checked") and rec.get("nt_status"):
            return True, f"disagree: ours right (nmap never checked; our probe answer {rec.get('nt_status')})"
        return False, "MISMATCH"
    if nm == "SILENT":
        return (v in ("not_windows", "unknown")), "agree" if v in ("not_windows", "unknown") else "MISMATCH"
    return False, "MISMATCH"


def main(argv):
    if len(argv) < 4 or "--pass" not in argv:
        print(__doc__, file=sys.stderr)
        return 2
    json_path, report = argv[1], argv[2]
    required, passes, i = [], [], 3
    while i < len(argv):
        if argv[i] == "--require":
            required = [x for x in argv[i + 1].split(",") if x]
            i += 2
        elif argv[i] == "--pass":
            cur = {"label": argv[i + 1], "normal": argv[i + 2], "debug": argv[i + 3], "specs": []}
            passes.append(cur)
            i += 4
        else:
            passes[-1]["specs"].append(argv[i])
            i += 1
    recs = {}
    ours_ran = True
    try:
        with open(json_path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    r = json.loads(line)
                    recs[r.get("ip")] = r
    except FileNotFoundError:
        ours_ran = False  # scanner not run: check nmap's side only
    rows, bad, seen = [], [], set()
    for ps in passes:
        normal = open(ps["normal"], encoding="utf-8", errors="replace").read()
        debug = open(ps["debug"], encoding="utf-8", errors="replace").read()
        hosts, dbg = parse_nmap(normal, debug)
        for spec in ps["specs"]:
            addr, peer, want = spec.split("=", 2)
            nm, detail = outcome(hosts.get(addr), dbg.get(addr, []))
            rec = recs.get(addr)
            if not ours_ran:
                ok, verdict_s, rel = True, "(scanner not run)", "-"
            elif rec is None:
                ok, verdict_s, rel = False, "(no smbguard record)", "MISMATCH"
            else:
                ok, rel = ours_ok(nm, detail, rec)
                verdict_s = (f"{rec.get('verdict')}/{rec.get('reason')} nt_status={rec.get('nt_status')} "
                             f"dp={rec.get('doublepulsar')}")
            exp_ok = nm == want
            if not exp_ok:
                bad.append(f"[{ps['label']}] {addr} {peer}: nmap outcome {nm} ({detail}), expected {want}")
            if not ok:
                bad.append(f"[{ps['label']}] {addr} {peer}: nmap {nm} ({detail}) vs smbguard {verdict_s}: "
                           "breaks decisions.md 11 mapping")
            seen.add(nm)
            rows.append((ps["label"], addr, peer, nm + ("" if exp_ok else f" (expected {want})"), detail,
                         verdict_s, rel))
    for o in required:
        if o not in seen:
            bad.append(f"no case where nmap's outcome is {o} (decisions.md 11 wants one per outcome)")
    with open(report, "w", encoding="utf-8") as f:
        f.write("| nmap run | addr | peer | nmap | nmap evidence | smbguard | relation |\n"
                "|---|---|---|---|---|---|---|\n")
        for r in rows:
            f.write("| " + " | ".join(x.replace("|", "/") for x in r) + " |\n")
    sys.stdout.write(open(report, encoding="utf-8").read())
    if bad:
        for b in bad:
            print("FAIL: " + b, file=sys.stderr)
        return 1
    print(f"ok: {len(rows)} rows, nmap outcomes covered: {sorted(seen)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
