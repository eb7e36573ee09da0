#!/usr/bin/env python3
"""Multiply the real OCDS samples into a large JSON-lines file of releases with distinct ocids.

usage: gen_large.py SHARED_DIR COPIES OUT.jsonl

Reads every release in SHARED_DIR/data/ocds-real (individual releases, release packages, the
`releases` of records and of record packages' records; empty files are skipped), upgrades them
from OCDS 1.0 to 1.1 with ocdskit's own `upgrade_10_11` (so that both tools compile exactly the
same 1.1 input), then writes COPIES copies of the whole set, copy k rewriting every ocid to
`{ocid}-c{k}`. Copies are interleaved release by release (copy 0 of release 0, copy 1 of
release 0, ...), so the input is *not* grouped by ocid and the compilers must really group.
The same arguments always give the same bytes. Only the generator is committed, never its output.
"""
import collections
import glob
import json
import os
import sys

from ocdskit.upgrade import upgrade_10_11

shared, copies, out_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]


def releases_of(data):
    if isinstance(data, list):
        for item in data:
            yield from releases_of(item)
    elif isinstance(data, dict):
        if "records" in data:
            for record in data["records"] or []:
                yield from releases_of(record)
        elif "releases" in data:
            for release in data["releases"] or []:
                if isinstance(release, dict) and "ocid" in release and "date" in release:
                    yield release
        elif "ocid" in data and isinstance(data.get("date"), str):
            yield data


releases = []
for path in sorted(glob.glob(os.path.join(shared, "data/ocds-real/**/*.json"), recursive=True)):
    with open(path, "rb") as f:
        raw = f.read()
    if not raw.strip():
        continue
    data = json.loads(raw, object_pairs_hook=collections.OrderedDict)
    data = upgrade_10_11(data)
    releases.extend(json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in releases_of(data))

with open(out_path, "w", encoding="utf-8") as out:
    for line in releases:
        release = json.loads(line, object_pairs_hook=collections.OrderedDict)
        ocid = release["ocid"]
        for k in range(copies):
            release["ocid"] = f"{ocid}-c{k}"
            out.write(json.dumps(release, ensure_ascii=False, separators=(",", ":")))
            out.write("\n")
print(f"{len(releases)} releases x {copies} copies -> {out_path}", file=sys.stderr)
