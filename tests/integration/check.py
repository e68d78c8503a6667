#!/usr/bin/env python3
"""check.py OUT [--count N] [--schema] ip=ADDR ASSERTION...

Asserts on `smbguard scan --json OUT` output (NDJSON, one record per target; a JSON array is also
accepted). The record checked is the one whose "ip" equals ip=ADDR; without ip=, the assertions must
hold for every record. Every problem is reported (not
only the first). With --schema, every record in the file is also checked against the field list and
types of decisions.md section 7 (one test does that over every kind of host, so a type deviation
fails that test rather than every verdict test).

Assertions (VALUE is parsed as JSON when it parses - true, false, null, 445, [], ["2.1"], "text" -
and taken as a plain string otherwise, so smb1_dialect=NT LM 0.12 and doublepulsar_key=0x31F1CB56
are strings; comparison is by exact JSON type, so true never equals 1):
  KEY=VALUE       equal
  KEY!=VALUE      present and not equal
  KEY@=V1|V2|...  equal to one of the alternatives
  KEY~=REGEX      a string matching REGEX (re.search)
  KEY<=N, KEY>=N  an integer within the bound
  KEY:TYPE        type check: str int bool null array nonempty (non-empty array) absent
--count N         the file holds exactly N records
--schema          check every record against decisions.md section 7
"""
import json
import re
import sys

VERDICTS = {"unreachable", "closed", "no_smb", "unknown", "patched", "smb1_disabled",
            "vulnerable", "not_windows", "access_denied"}
DP = {"infected", "clean", "unknown", "not_checked"}

# decisions.md section 7. (types, required)
S, I, B, N, SA, IA = "str", "int", "bool", "null", "str_array", "int_array"
SCHEMA = {
    "ip": ({S}, True), "port": ({I}, True), "ports_open": ({IA}, True),
    "verdict": ({S}, True), "reason": ({S}, True), "detail": ({S, N}, True),
    "nt_status": ({S, N}, True), "smb1": ({B, N}, True), "smb1_dialect": ({S, N}, True),
    "smb2_dialects": ({SA}, True), "signing_required_smb1": ({B, N}, True),
    "signing_required_smb2": ({B, N}, True), "os": ({S, N}, True), "native_os": ({S, N}, True),
    "native_lanman": ({S, N}, True), "build": ({S, N}, True), "netbios_name": ({S, N}, True),
    "dns_name": ({S, N}, True), "domain": ({S, N}, True), "mac": ({S, N}, True),
    "auth": ({S, N}, True), "doublepulsar": ({S}, True), "doublepulsar_arch": ({S, N}, True),
    "doublepulsar_key": ({S, N}, True), "doublepulsar_mid_delta": ({I, N}, True),
    "elapsed_ms": ({I}, True),
}


def jtype(v):
    if v is None:
        return N
    if isinstance(v, bool):
        return B
    if isinstance(v, int):
        return I
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return S
    if isinstance(v, list):
        if all(isinstance(x, str) for x in v):
            return SA if v else "empty_array"
        if all(isinstance(x, int) and not isinstance(x, bool) for x in v):
            return IA
        return "array"
    return type(v).__name__


def schema_problems(rec):
    out = []
    ip = rec.get("ip", "?")
    missing = [k for k, (_, req) in SCHEMA.items() if req and k not in rec]
    if missing:
        out.append(f"{ip}: fields missing (decisions.md 7): {', '.join(missing)}")
    for k, (types, required) in SCHEMA.items():
        if k not in rec:
            continue
        t = jtype(rec[k])
        if t == "empty_array" and (SA in types or IA in types):
            continue
        if t not in types:
            out.append(f"{ip}: field {k!r} is {t} ({rec[k]!r}), expected {'/'.join(sorted(types))}")
    v = rec.get("verdict")
    if isinstance(v, str) and v not in VERDICTS:
        out.append(f"{ip}: verdict {v!r} not one of {sorted(VERDICTS)}")
    r = rec.get("reason")
    if isinstance(r, str) and not re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)*", r):
        out.append(f"{ip}: reason {r!r} is not a snake_case code")
    d = rec.get("doublepulsar")
    if isinstance(d, str) and d not in DP:
        out.append(f"{ip}: doublepulsar {d!r} not one of {sorted(DP)}")
    st = rec.get("nt_status")
    if isinstance(st, str) and not re.fullmatch(r"0x[0-9A-F]{8}", st):
        out.append(f"{ip}: nt_status {st!r} is not of the form 0xC0000205")
    key = rec.get("doublepulsar_key")
    if isinstance(key, str) and not re.fullmatch(r"0x[0-9A-F]{8}", key):
        out.append(f"{ip}: doublepulsar_key {key!r} is not of the form 0x31F1CB56")
    arch = rec.get("doublepulsar_arch")
    if isinstance(arch, str) and arch not in ("x86", "x64"):
        out.append(f"{ip}: doublepulsar_arch {arch!r} not x86/x64")
    return out


def parse_value(s):
    try:
        return json.loads(s)
    except ValueError:
        return s


def same(a, b):
    return jtype(a) == jtype(b) and a == b or (a == [] and b == [])


def load(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    t = text.strip()
    if t.startswith("["):
        return json.loads(t)
    recs = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            recs.append(json.loads(line))
        except ValueError as e:
            raise SystemExit(f"FAIL: {path} line {n} is not JSON ({e}): {line[:200]!r}")
    return recs


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    path, args = argv[1], argv[2:]
    try:
        recs = load(path)
    except FileNotFoundError:
        print(f"FAIL: {path} was not written", file=sys.stderr)
        return 1
    probs = []
    for r in recs:
        if not isinstance(r, dict):
            probs.append(f"record is not an object: {r!r}")
        elif "--schema" in args:
            probs += schema_problems(r)
    want_ip, asserts = None, []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--schema":
            i += 1
            continue
        if a == "--count":
            n = int(args[i + 1])
            if len(recs) != n:
                probs.append(f"{len(recs)} records, expected {n}")
            i += 2
            continue
        m = re.fullmatch(r"([A-Za-z0-9_]+)(<=|>=|!=|@=|~=|=|:)(.*)", a, re.S)
        if not m:
            print(f"check.py: bad assertion {a!r}", file=sys.stderr)
            return 2
        if m.group(1) == "ip" and m.group(2) == "=":
            want_ip = m.group(3)
        else:
            asserts.append(m.groups())
        i += 1
    targets = []
    if want_ip is not None:
        hits = [r for r in recs if isinstance(r, dict) and r.get("ip") == want_ip]
        if len(hits) != 1:
            probs.append(f"{len(hits)} records with ip {want_ip!r}, expected 1 "
                         f"(ips: {[r.get('ip') for r in recs if isinstance(r, dict)]})")
        else:
            targets = hits
    elif asserts:
        # no ip=: the assertions hold for every record
        targets = [r for r in recs if isinstance(r, dict)]
        if not targets:
            probs.append("no records to check")
    for rec in targets:
        ip = rec.get("ip")
        for key, op, val in asserts:
            present = key in rec
            got = rec.get(key)
            shown = json.dumps(got) if present else "(absent)"
            if op == "=":
                want = parse_value(val)
                if not present or not same(got, want):
                    probs.append(f"{ip}: {key} = {shown}, expected {json.dumps(want)}")
            elif op == "!=":
                want = parse_value(val)
                if not present or same(got, want):
                    probs.append(f"{ip}: {key} = {shown}, expected anything but {json.dumps(want)}")
            elif op == "@=":
                alts = [parse_value(x) for x in val.split("|")]
                if not present or not any(same(got, w) for w in alts):
                    probs.append(f"{ip}: {key} = {shown}, expected one of {json.dumps(alts)}")
            elif op in ("<=", ">="):
                lim = int(val)
                if jtype(got) != I or (got > lim if op == "<=" else got < lim):
                    probs.append(f"{ip}: {key} = {shown}, expected an integer {op} {lim}")
            elif op == "~=":
                if not isinstance(got, str) or not re.search(val, got):
                    probs.append(f"{ip}: {key} = {shown}, expected a string matching /{val}/")
            elif op == ":":
                t = jtype(got) if present else "absent"
                ok = {
                    "str": t == S, "int": t == I, "bool": t == B, "null": present and got is None,
                    "array": isinstance(got, list), "nonempty": isinstance(got, list) and len(got) > 0,
                    "absent": not present,
                }.get(val)
                if ok is None:
                    print(f"check.py: unknown type {val!r}", file=sys.stderr)
                    return 2
                if not ok:
                    probs.append(f"{ip}: {key} = {shown}, expected {val}")
    if probs:
        for p in probs:
            print(f"FAIL: {p}", file=sys.stderr)
        return 1
    print(f"ok: {path}: {len(recs)} record(s); {len(asserts) + (want_ip is not None)} assertion(s) hold")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
