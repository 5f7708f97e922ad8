"""The build validates the data package once and its kernels load a typed snapshot of it.

A kernel loads the snapshot only if it was made from exactly the files it would
read, so an edited file is never hidden by an old snapshot; outside a build
(no snapshot folder named) `data.load()` validates as it always did.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO
from lacbook.data import SNAPSHOTS, DataError, write_snapshot

# What a chapter kernel does first; prints whether Frictionless was imported and what it read.
KERNEL = """
import json, sys, time
started, cpu = time.perf_counter(), time.process_time()
from lacbook import data
rows = data.figures("es")
seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
print(json.dumps({"frictionless": "frictionless" in sys.modules, "rows": len(rows),
                  "first": rows.iloc[0]["place_name"], "seconds": seconds, "cpu": cpu}))
"""


@pytest.fixture
def package(tmp_path) -> Path:
    root = tmp_path / "data"
    shutil.copytree(REPO / "data", root)
    return root


def kernel(package: Path, snapshots: Path | None) -> dict:
    env = {key: value for key, value in os.environ.items() if key != SNAPSHOTS}
    env["LACBOOK_DATA_DIR"] = str(package)
    if snapshots:
        env[SNAPSHOTS] = str(snapshots)
    done = subprocess.run([sys.executable, "-c", KERNEL], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def test_a_kernel_loads_the_snapshot_without_frictionless(package, tmp_path):
    snapshots = tmp_path / "snapshots"
    write_snapshot(package, snapshots)
    validated, from_snapshot = kernel(package, None), kernel(package, snapshots)
    assert validated["frictionless"] and not from_snapshot["frictionless"]
    assert (from_snapshot["rows"], from_snapshot["first"]) == (validated["rows"], validated["first"])
    print(f"\ndata load in a kernel (wall / CPU, pandas import included): validating "
          f"{validated['seconds']:.2f} / {validated['cpu']:.2f} s, "
          f"from the snapshot {from_snapshot['seconds']:.2f} / {from_snapshot['cpu']:.2f} s")


def test_an_edited_file_is_validated_again_not_read_from_the_old_snapshot(package, tmp_path):
    snapshots = tmp_path / "snapshots"
    write_snapshot(package, snapshots)
    figures = package / "figures" / "rmrp2022_eoy.csv"
    figures.write_bytes(b"\xef\xbb\xbf" + figures.read_bytes())  # a byte-order mark: refused
    env = {**os.environ, "LACBOOK_DATA_DIR": str(package), SNAPSHOTS: str(snapshots)}
    done = subprocess.run([sys.executable, "-c", KERNEL], capture_output=True, text=True, env=env)
    assert done.returncode != 0 and "byte-order mark" in done.stderr


def test_a_bad_package_gets_no_snapshot_and_a_new_one_replaces_the_old(package, tmp_path):
    snapshots = tmp_path / "snapshots"
    first = write_snapshot(package, snapshots)
    readme = package / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
    assert write_snapshot(package, snapshots) == first  # the README is no data
    descriptor = package / "datapackage.json"
    descriptor.write_text(descriptor.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    second = write_snapshot(package, snapshots)
    assert second != first and sorted(snapshots.iterdir()) == [second]
    figures = package / "figures" / "rmrp2022_eoy.csv"
    figures.write_bytes(b"")
    with pytest.raises(DataError, match="rmrp2022_eoy.csv"):
        write_snapshot(package, snapshots)
    assert sorted(snapshots.iterdir()) == [second]
