#!/usr/bin/env python3
# tests/watch/suricata/compare_report.py: the report of compare.sh (markdown on stdout).
#   compare_report.py EXPECTED_TSV RESTATED_RULES RUNS_DIR
# RUNS_DIR/<capture>/{default,tuned}/eve.json (Suricata), smbguard.json, smbguard.rc.
# EXPECTED_TSV: ../expected.tsv, or ../generated_expected.tsv for the generated fixtures.
import collections, fnmatch, json, os, re, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import expected_table  # noqa: E402

DETECTIONS = [
    "ms17_010.probe", "ms17_010.vulnerable_response", "ms17_010.not_vulnerable_response",
    "eternalblue.exploit", "eternalblue.overflow", "eternalblue.groom", "eternalblue.pool_alloc",
    "ms17_010.other_exploit", "doublepulsar.ping", "doublepulsar.implant_reply",
    "doublepulsar.payload_upload", "doublepulsar.uninstall", "wannacry.ipc_paths",
    "wannacry.killswitch_dns", "wannacry.killswitch_http", "wannacry.share_encryption",
    "smb.worm_scan", "smb1.in_use", "smb1.client_only", "smb.exposed",
]
INFO = {"smb1.in_use", "smb1.client_only", "smb.exposed"}  # not exploit-side
EXIT3 = {"ms17_010.vulnerable_response", "eternalblue.exploit", "eternalblue.overflow",
         "eternalblue.groom", "eternalblue.pool_alloc", "ms17_010.other_exploit",
         "doublepulsar.implant_reply", "doublepulsar.payload_upload", "wannacry.ipc_paths",
         "wannacry.killswitch_dns", "wannacry.killswitch_http", "wannacry.share_encryption",
         "smb.worm_scan"}
FAMILIES = ["probe", "eternalblue", "other_exploit", "doublepulsar", "wannacry"]


def family(det):
    if det.startswith("ms17_010.") and det != "ms17_010.other_exploit":
        return "probe"
    if det.startswith("eternalblue."):
        return "eternalblue"
    if det == "ms17_010.other_exploit":
        return "other_exploit"
    if det.startswith("doublepulsar."):
        return "doublepulsar"
    if det.startswith("wannacry.") or det == "smb.worm_scan":
        return "wannacry"
    return "info"


def read_table(path):
    expect = collections.defaultdict(collections.Counter)
    must_not = collections.defaultdict(set)
    order = []
    for row in expected_table.rows(path):
        cap, det, cnt = row["capture"], row["detection"], int(row["count"])
        if cap not in order:
            order.append(cap)
        pats = expected_table.must_not(row)
        if pats is not None:
            for p in pats:
                must_not[cap].update(d for d in DETECTIONS if fnmatch.fnmatchcase(d, p))
            continue
        expect[cap][det] += cnt
    return order, expect, must_not


def read_rules(path):
    rules = {}
    with open(path) as f:
        for line in f:
            if not line.startswith("alert"):
                continue
            sid = int(re.search(r"\bsid:(\d+);", line).group(1))
            meta = re.search(r"metadata:([^;]*);", line).group(1)
            kv = dict(x.strip().split(" ", 1) for x in meta.split(","))
            rules[sid] = (kv["original_sid"], kv["smbguard_class"], kv["smbguard_family"],
                          "APPROX" in line.split("msg:", 1)[1].split('";', 1)[0])
    return rules


def read_suricata(path, rules):
    flows = collections.defaultdict(set)  # our sid -> flow ids
    alerts = collections.Counter()        # our sid -> alerts
    stats = {}
    with open(path) as f:
        for line in f:
            rec = json.loads(line)
            if rec.get("event_type") == "alert":
                flows[rec["alert"]["signature_id"]].add(rec.get("flow_id"))
                alerts[rec["alert"]["signature_id"]] += 1
            elif rec.get("event_type") == "stats":
                stats = rec["stats"]
    return flows, stats, alerts


def read_smbguard(path):
    got = collections.Counter()
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                rec = json.loads(line)
                # alert records only, as check_expected.py counts them (dns/http/flow records may
                # carry smbguard.detection too: they are evidence, not alerts)
                if rec.get("event_type") == "alert":
                    got[rec["alert"]["signature"]] += 1
    return got


def g(s, *path):
    for p in path:
        s = s.get(p, {}) if isinstance(s, dict) else {}
    return s if s != {} else 0


def fmt_counts(c):
    return ", ".join(f"{k} {v}" for k, v in sorted(c.items())) or "-"


def fmt_sids(sur, rules, cls):
    flows, _, alerts = sur[:3]
    if len(sur) > 3:
        return f"(could not read the file: {sur[3]})"
    items = []
    for sid, fl in flows.items():
        orig, c, _, approx = rules.get(sid, (str(sid), "?", "?", False))
        if c == cls:
            items.append((int(orig), f"{orig}{'~' if approx else ''}({len(fl)}/{alerts[sid]})"))
    return " ".join(s for _, s in sorted(items)) or "-"


def main():
    table, rules_path, runs = sys.argv[1:4]
    order, expect, must_not = read_table(table)
    rules = read_rules(rules_path)
    caps = sorted(os.listdir(runs))
    emitted = set()
    res = {}
    for cap in caps:
        d = os.path.join(runs, cap)
        sg = read_smbguard(os.path.join(d, "smbguard.json"))
        emitted.update(sg)
        rc = open(os.path.join(d, "smbguard.rc")).read().strip()
        sur = {s: read_suricata(os.path.join(d, s, "eve.json"), rules) for s in ("default", "tuned")}
        notes = {}
        for s in ("default", "tuned"):
            txt = ""
            for log in ("suricata.log", "stderr"):
                if os.path.exists(os.path.join(d, s, log)):
                    txt += open(os.path.join(d, s, log), errors="replace").read()
            notes[s] = sorted({re.sub(r"^.*?(Info|Warning|Notice): ", r"\1: ", l.strip())
                               for l in txt.splitlines() if "checksum" in l.lower()})
            bad = re.search(r"(datalink type \d+ not \(yet\) supported|Failed to init pcap file)", txt)
            if bad:
                sur[s] = sur[s] + (bad.group(1),)
        res[cap] = (sg, rc, sur, notes)

    exploit_caps = [c for c in caps if any(family(k) != "info" and v for k, v in expect[c].items())]
    benign_caps = [c for c in caps if c not in exploit_caps]

    def sg_diffs(cap, sg):
        diffs = []
        for det in DETECTIONS:
            want = expect[cap].get(det)
            if want is None and det in must_not[cap]:
                want = 0
            if want is None:
                if sg[det] and det in EXIT3:
                    diffs.append(f"{det} {sg[det]}, not in table")
                continue
            if sg[det] != want:
                mark = "" if det in emitted else "*"
                diffs.append(f"{det}{mark} {sg[det]}≠{want}")
        return diffs

    def sur_fams(flows):
        return {rules[s][2] for s in flows if s in rules and rules[s][1] == "exploit"}

    print("## Per capture\n")
    print("Suricata cells: original SID(distinct flows/alerts) of our restated rule; `~` = APPROX restatement; "
          "exploit-class rules only (info-class hits are listed further down). smbguard cells: "
          "exploit-side alerts (informational smb1.*/smb.exposed records are left out here but are "
          "checked in \"= table\"). `*` in \"= table\": this binary emitted that detection on no "
          "capture at all. Caught = at least one exploit-side alert; (k/n) = expected detection "
          "families (probe, eternalblue, other_exploit, doublepulsar, wannacry) covered.\n")
    print(f"| capture | our expected detections ({os.path.basename(table)}) | smbguard alerts | smbguard = table | "
          "Suricata default | Suricata tuned | caught: smbguard / default / tuned |")
    print("|---|---|---|---|---|---|---|")
    summary = {"sg": 0, "def": 0, "tun": 0, "sg_all": 0, "def_all": 0, "tun_all": 0, "sg_eq": 0}
    fam_rows = []
    fa = {"sg": [], "def": [], "tun": []}
    for cap in exploit_caps + benign_caps:
        sg, rc, sur, _ = res[cap]
        exp_x = {k: v for k, v in expect[cap].items() if family(k) != "info" and v}
        sg_x = {k: v for k, v in sg.items() if family(k) != "info"}
        diffs = sg_diffs(cap, sg)
        eq = "yes" if not diffs else "no: " + "; ".join(diffs)
        if cap not in order:
            eq = "(not in table)"
        dcell = fmt_sids(sur["default"], rules, "exploit")
        tcell = fmt_sids(sur["tuned"], rules, "exploit")
        if cap in exploit_caps:
            ef = {family(k) for k in exp_x}
            sf = {family(k) for k in sg_x} & ef
            df, tf = sur_fams(sur["default"][0]) & ef, sur_fams(sur["tuned"][0]) & ef

            def c(hit, fams):
                return f"{'yes' if hit else 'no'} ({len(fams)}/{len(ef)})"
            caught = " / ".join([c(sg_x, sf), c(df, df), c(tf, tf)])
            summary["sg"] += bool(sg_x)
            summary["def"] += bool(df)
            summary["tun"] += bool(tf)
            summary["sg_all"] += sf == ef
            summary["def_all"] += df == ef
            summary["tun_all"] += tf == ef
            summary["sg_eq"] += not diffs
            fam_rows.append((cap, ef, sf, df, tf))
            expcell = fmt_counts(exp_x)
        else:
            sg_fa = {k: v for k, v in sg_x.items() if k in EXIT3 or k in must_not[cap]}
            d_fa = bool(sur_fams(sur["default"][0]))
            t_fa = bool(sur_fams(sur["tuned"][0]))
            if sg_fa:
                fa["sg"].append(cap)
            if d_fa:
                fa["def"].append(cap)
            if t_fa:
                fa["tun"].append(cap)
            caught = " / ".join("FALSE ALARM" if x else "clean" for x in (sg_fa, d_fa, t_fa))
            expcell = "benign (no exploit-side detection)"
        if rc not in ("0", "3"):
            caught += f" (smbguard exit {rc})"
        print(f"| {cap} | {expcell} | {fmt_counts(sg_x)} | {eq} | {dcell} | {tcell} | {caught} |")

    n, m = len(exploit_caps), len(benign_caps)
    print("\n## Summary\n")
    print(f"- Exploit/implant/probe captures (a non-informational row in expected.tsv): {n}; benign: {m}.")
    print(f"- Caught (at least one exploit-side alert): smbguard {summary['sg']}/{n}, "
          f"Suricata default {summary['def']}/{n}, Suricata tuned {summary['tun']}/{n}.")
    print(f"- Every expected detection family covered: smbguard {summary['sg_all']}/{n}, "
          f"Suricata default {summary['def_all']}/{n}, Suricata tuned {summary['tun_all']}/{n}.")
    print(f"- smbguard equal to its table on every detection: {summary['sg_eq']}/{n} exploit captures, "
          f"{sum(1 for c in benign_caps if not sg_diffs(c, res[c][0]))}/{m} benign captures.")
    def fl(k):
        return f"{len(fa[k])}" + (f" ({', '.join(fa[k])})" if fa[k] else "")
    print(f"- False alarms on benign captures (smbguard: exploit-side alert; Suricata: exploit-class "
          f"rule): smbguard {fl('sg')}, Suricata default {fl('def')}, Suricata tuned {fl('tun')}.")
    never = sorted(d for d in DETECTIONS if d not in emitted and any(expect[c].get(d) for c in caps))
    print(f"- Detections the table expects that this smbguard binary emitted on no capture: "
          f"{', '.join(never) or 'none'}.")

    print("\n## Detection families per exploit capture (missing ones)\n")
    print("| capture | expected families | smbguard misses | Suricata default misses | Suricata tuned misses |")
    print("|---|---|---|---|---|")
    for cap, ef, sf, df, tf in fam_rows:
        print(f"| {cap} | {', '.join(sorted(ef))} | {', '.join(sorted(ef - sf)) or '-'} | "
              f"{', '.join(sorted(ef - df)) or '-'} | {', '.join(sorted(ef - tf)) or '-'} |")

    print("\n## Info-class rule hits (IPC$ access, SMBv1 policy: not counted as alarms)\n")
    print("| capture | Suricata default | Suricata tuned |")
    print("|---|---|---|")
    for cap in caps:
        _, _, sur, _ = res[cap]
        dc, tc = fmt_sids(sur["default"], rules, "info"), fmt_sids(sur["tuned"], rules, "info")
        if dc != "-" or tc != "-":
            print(f"| {cap} | {dc} | {tc} |")

    print("\n## Suricata engine counters (last stats record)\n")
    print("| capture | packets | TCP sessions default / tuned | midstream pickups (tuned) | "
          "invalid TCP checksums (default) | SMB app-layer flows default / tuned | reassembly gaps (tuned) |")
    print("|---|---|---|---|---|---|---|")
    for cap in caps:
        _, _, sur, notes = res[cap]
        sd, st = sur["default"][1], sur["tuned"][1]

        print(f"| {cap} | {g(sd, 'decoder', 'pkts')} | {g(sd, 'tcp', 'sessions')} / {g(st, 'tcp', 'sessions')} | "
              f"{g(st, 'tcp', 'midstream_pickups')} | {g(sd, 'tcp', 'invalid_checksum')} | "
              f"{g(sd, 'app_layer', 'flow', 'smb')} / {g(st, 'app_layer', 'flow', 'smb')} | "
              f"{g(st, 'tcp', 'reassembly_gap')} |")
    cs = [(c, l) for c in caps for l in res[c][3]["default"]
          if g(res[c][2]["default"][1], "tcp", "invalid_checksum") or "Warning" in l]
    if cs:
        print("\nSuricata checksum messages (default setup, captures with invalid checksums):\n")
        for c, l in cs:
            print(f"- {c}: `{l}`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
