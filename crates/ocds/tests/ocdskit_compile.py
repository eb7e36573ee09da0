#!/usr/bin/env python3
"""The reference compile: exactly what `ocdskit compile` runs, minus its version check.

usage: ocdskit_compile.py SCHEMA [--versioned] [--root-path PATH] < upgraded.json

`ocdskit compile` feeds `ocdskit.combine.merge` the items of standard input and prints each
result with ocdskit's `json_dumps`. It refuses input whose items *look* like different OCDS
versions (a release without `parties` looks like 1.0), and `ocdskit upgrade 1.0:1.1` cannot add
`parties` to releases that name no organization, so real mixed data (e.g. Paraguay's contract
releases) is refused even after upgrading. This script calls the same `merge` with
`ignore_version=True` and otherwise behaves like `ocdskit compile --schema SCHEMA`.

`--upgrade` runs `ocdskit upgrade 1.0:1.1` instead (the real command, via ocdskit's `main`).

Both run with ocdskit's standard-library JSON backend: when the optional `orjson` is installed,
ocdskit serialises its `OrderedDict`s in insertion order and silently loses the documented
"move identifying fields to the top" of `upgrade`, so output key order would depend on what
else happens to be installed. Blocking `orjson` gives the documented behaviour everywhere.
The benchmark sets OCDSKIT_ALLOW_ORJSON=1 to give ocdskit its fastest backend (compile output
of already-upgraded input does not depend on it).
"""
import os
import sys

if os.environ.get("OCDSKIT_ALLOW_ORJSON") != "1":
    sys.modules["orjson"] = None  # see above: use ocdskit's stdlib JSON backend

if "--upgrade" in sys.argv:
    from ocdskit.__main__ import main

    sys.argv = ["ocdskit", "upgrade", "1.0:1.1"]
    main()
    sys.exit(0)

from ocdskit.combine import merge
from ocdskit.commands.base import StandardInputReader
from ocdskit.util import ijson, json_dumps

schema = sys.argv[1]
versioned = "--versioned" in sys.argv
root_path = sys.argv[sys.argv.index("--root-path") + 1] if "--root-path" in sys.argv else ""


def items():
    for item in ijson.items(StandardInputReader(None), root_path, multiple_values=True):
        if isinstance(item, list):
            yield from item
        else:
            yield item


for output in merge(items(), schema=schema, return_versioned_release=versioned, streaming=True, ignore_version=True):
    print(json_dumps(output))
