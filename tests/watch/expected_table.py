#!/usr/bin/env python3
# expected_table.py: reads the hand-written watch expectation tables (expected.tsv,
# generated_expected.tsv; columns in tests/watch/README.md). Shared by check_expected.py,
# suricata/compare_report.py and bench/watch_expect.py so the three read the table the same way.


def rows(path):
    """The table's rows as dicts keyed by the header, comment ('#') and blank lines skipped."""
    with open(path) as f:
        line = f.readline()
        while line.startswith("#"):  # generated_expected.tsv opens with comment lines
            line = f.readline()
        header = line.rstrip("\n").split("\t")
        for line in f:
            if line.strip() and not line.startswith("#"):
                yield dict(zip(header, line.rstrip("\n").split("\t")))


def must_not(row):
    """The detection-name patterns (fnmatch) a negative row forbids, or None for a counting row.
    Negative rows: none_exit3 / none_info, and count 0 with attributes must_not[=a,b]."""
    det, attrs = row["detection"], row["attributes"]
    if det in ("none_exit3", "none_info") or (int(row["count"]) == 0 and attrs.startswith("must_not")):
        return attrs[len("must_not="):].split(",") if attrs.startswith("must_not=") else [det]
    return None
