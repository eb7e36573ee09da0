#!/usr/bin/env python3
"""Synthetic OCDS 1.1 releases for the import benchmark (issue 5): N releases as gzip JSON lines,
two per process (a tender release, then an award release a month later), with buyers, items,
bids and suppliers shaped like the platform's own. Deterministic for a given N.

usage: bench/gen_releases.py N OUT.jsonl.gz
"""
import gzip
import json
import random
import sys

n = int(sys.argv[1])
out = sys.argv[2]
rng = random.Random(42)
buyers = [f"Hospital {i}" for i in range(40)]
items = [("MED-%04d" % i, "N02BE01" if i % 3 else "J01CA04", f"Medicamento {i}") for i in range(300)]
with gzip.open(out, "wt", compresslevel=3) as f:
    for p in range((n + 1) // 2):
        ocid = f"ocds-bench1-{p:08d}"
        day = 1 + p % 28
        month = 1 + (p // 28) % 12
        item = items[p % len(items)]
        amount = rng.randint(1000, 5_000_000) / 100
        buyer = buyers[p % len(buyers)]
        tender = {
            "id": f"T-{p}", "title": f"Compra de {item[2]} para {buyer}", "status": "active",
            "procurementMethod": "open" if p % 5 else "direct",
            "value": {"amount": amount, "currency": "GTQ"},
            "items": [{"id": "1", "description": item[2], "quantity": rng.randint(10, 10000),
                       "classification": {"scheme": "ATC", "id": item[1]},
                       "unit": {"name": "tableta"}}],
            "tenderPeriod": {"startDate": f"2025-{month:02d}-{day:02d}T08:00:00Z",
                             "endDate": f"2025-{month:02d}-{day:02d}T17:00:00Z"},
        }
        parties = [{"id": f"GT-NIT-{p % 40}", "name": buyer, "roles": ["buyer"]}]
        f.write(json.dumps({"ocid": ocid, "id": f"{ocid}-1", "date": f"2025-{month:02d}-{day:02d}T08:00:00Z",
                            "tag": ["tender"], "initiationType": "tender", "parties": parties,
                            "buyer": {"id": f"GT-NIT-{p % 40}", "name": buyer}, "tender": tender},
                           separators=(",", ":")) + "\n")
        if 2 * p + 1 >= n:
            break
        supplier = f"GT-NIT-S{rng.randint(1, 500)}"
        award = {"id": "1", "status": "active", "date": f"2025-{month:02d}-{day:02d}T18:00:00Z",
                 "value": {"amount": round(amount * 0.9, 2), "currency": "GTQ"},
                 "suppliers": [{"id": supplier, "name": f"Proveedor {supplier}"}]}
        f.write(json.dumps({"ocid": ocid, "id": f"{ocid}-2", "date": f"2025-{month:02d}-{day:02d}T18:00:00Z",
                            "tag": ["award"], "initiationType": "tender",
                            "parties": parties + [{"id": supplier, "name": f"Proveedor {supplier}", "roles": ["supplier"]}],
                            "tender": {"id": f"T-{p}", "status": "complete"}, "awards": [award]},
                           separators=(",", ":")) + "\n")
