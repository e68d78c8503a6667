#!/usr/bin/env python3
# test_csv.py: `smbguard watch --csv` writes one row per alert, the same alerts as the EVE output of the
# same run, in the project's CSV form (UTF-8 BOM, CRLF, fixed header). usage: test_csv.py EXE PCAP
import csv, io, json, os, subprocess, sys, tempfile

HEADER = ["timestamp", "signature_id", "signature", "severity", "exit3", "category", "src_ip", "src_port",
          "dest_ip", "dest_port", "proto", "app_proto", "direction", "flow_id", "community_id",
          "pcap_filename", "pcap_cnt", "in_iface", "evidence"]


def main():
    exe, pcap = sys.argv[1:3]
    with tempfile.TemporaryDirectory() as d:
        j, c = os.path.join(d, "eve.json"), os.path.join(d, "alerts.csv")
        p = subprocess.run([exe, "watch", "-q", "-r", pcap, "--json", j, "--csv", c])
        if p.returncode != 3:
            print(f"FAIL exit {p.returncode}, want 3 (the capture has an implant)")
            return 1
        raw = open(c, "rb").read()
        if not raw.startswith(b"\xef\xbb\xbf") or b"\r\n" not in raw or b"\n" in raw.replace(b"\r\n", b""):
            print("FAIL not BOM + CRLF")
            return 1
        rows = list(csv.reader(io.StringIO(raw[3:].decode("utf-8"), newline="")))
        alerts = [json.loads(l) for l in open(j) if '"event_type":"alert"' in l]
    if rows[0] != HEADER:
        print("FAIL header", rows[0])
        return 1
    body = [dict(zip(HEADER, r)) for r in rows[1:]]
    if len(body) != len(alerts):
        print(f"FAIL {len(body)} rows, {len(alerts)} EVE alerts")
        return 1
    for row, a in zip(body, alerts):
        want = {"signature": a["alert"]["signature"], "signature_id": str(a["alert"]["signature_id"]),
                "src_ip": a["src_ip"], "dest_port": str(a["dest_port"]), "flow_id": str(a["flow_id"]),
                "community_id": a["community_id"], "pcap_cnt": str(a["pcap_cnt"]), "direction": a["direction"]}
        for k, v in want.items():
            if row[k] != v:
                print(f"FAIL {row['signature']}: {k} {row[k]!r} != EVE {v!r}")
                return 1
        ev = json.loads(row["evidence"])
        if a["alert"]["signature"] == "doublepulsar.implant_reply" and ev.get("key") != "0x31F1CB56":
            print("FAIL implant key in evidence", ev)
            return 1
    print(f"ok: {len(body)} rows match the EVE alerts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
