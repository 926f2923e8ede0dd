"""The precompiled wheel's files as the Python worker writes them
(``assets/build/wheel-files.mjs``): one gzip stream of a ustar tar, inflated as it arrives and
read in JavaScript while the runtime boots, instead of Pyodide's ``unpackArchive`` in Python
after it (issue 16, boot). The worker and the snapshot's build both write what ``tarFiles``
reads, so it must read the build's tar exactly as Python's ``tarfile`` does, and refuse what
it cannot read rather than write it wrong."""

from __future__ import annotations

import base64
import gzip
import io
import json
import subprocess
import tarfile
from pathlib import Path

from site_helpers import ROOT

LIBRARY = ROOT / "raftsite/assets/build/wheel-files.mjs"

#: Reads the tar (gzipped or not) named by argv[2] with tarFiles(), writes the files with
#: writeFiles() into a file system that records them, and prints what it wrote or the error.
READER = """
import fs from "node:fs";
import zlib from "node:zlib";
import { tarFiles, writeFiles } from %s;
const written = {};
const made = [];
const FS = { mkdirTree: (d) => made.push(d), writeFile: (p, data) => (written[p] = Buffer.from(data).toString("base64")) };
try {
  let bytes = fs.readFileSync(process.argv[2]);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = zlib.gunzipSync(bytes);
  writeFiles(FS, "/site", tarFiles(bytes, "the tar"));
  console.log(JSON.stringify({ written, made }));
} catch (err) {
  console.log(JSON.stringify({ error: err.message }));
}
"""


def read_with_js(path: Path, tmp_path: Path) -> dict:
    script = tmp_path / "read.mjs"
    script.write_text(READER % json.dumps(LIBRARY.as_uri()), encoding="utf-8")
    proc = subprocess.run(["node", str(script), str(path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


def written(got: dict) -> dict[str, bytes]:
    assert "error" not in got, got["error"]
    return {k: base64.b64decode(v) for k, v in got["written"].items()}


def as_tarfile_reads_it(path: Path) -> dict[str, bytes]:
    with tarfile.open(path) as tar:
        return {f"/site/{m.name}": tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}


def make_tar(path: Path, members: list[tuple[str, bytes | None]], fmt=tarfile.USTAR_FORMAT, gz=False) -> Path:
    """A tar of (name, bytes) files, or (name, None) folders."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=fmt) as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            if data is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    path.write_bytes(gzip.compress(raw.getvalue()) if gz else raw.getvalue())
    return path


def test_every_file_of_the_shipped_precompiled_wheel_is_written_as_tarfile_reads_it(built_site, tmp_path):
    path = next((built_site / "assets/wheels").glob("*-pyc-*.tar.gz"))
    got = read_with_js(path, tmp_path)
    expected = as_tarfile_reads_it(path)
    assert written(got) == expected
    # the modules and the scenario library (data files read at run time) are among them
    assert "/site/raftcore/node.pyc" in expected
    assert any("/raftcore/scenarios/" in name and name.endswith(".txt") for name in expected)
    # each folder is made before its files are written
    assert {p.rsplit("/", 1)[0] for p in expected} <= set(got["made"])


def test_folders_empty_files_long_names_and_sizes_on_a_block_boundary(tmp_path):
    """A ustar name over 100 characters is split into prefix and name; files of 0, 512 and
    513 bytes end where the next header begins."""
    long_name = "pkg/" + "deep/" * 25 + "module.pyc"
    assert len(long_name) > 100
    path = make_tar(tmp_path / "mixed.tar.gz", [
        ("pkg", None), ("pkg/empty.txt", b""), ("pkg/block.bin", bytes(range(256)) * 2),
        ("pkg/block1.bin", b"x" * 513), (long_name, b"long"), ("pkg/last.txt", b"last"),
    ], gz=True)
    got = read_with_js(path, tmp_path)
    assert written(got) == as_tarfile_reads_it(path)
    assert f"/site/{long_name}" in got["written"] and "/site/pkg" not in got["written"]


def test_what_it_cannot_read_is_refused_by_name(tmp_path):
    """A symbolic link (no such thing in a wheel) and a pax header (a tar other than the
    build's) are refused, not skipped or written wrong."""
    link = io.BytesIO()
    with tarfile.open(fileobj=link, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        info = tarfile.TarInfo("pkg/link")
        info.type, info.linkname = tarfile.SYMTYPE, "../../etc/passwd"
        tar.addfile(info)
    (tmp_path / "link.tar").write_bytes(link.getvalue())
    assert read_with_js(tmp_path / "link.tar", tmp_path) == {
        "error": 'the tar: pkg/link is of tar type "2" (only files and folders are read)'}

    pax = make_tar(tmp_path / "pax.tar", [("pkg/é.txt", b"x")], fmt=tarfile.PAX_FORMAT)
    assert read_with_js(pax, tmp_path)["error"].startswith("the tar: ")
    assert "only files and folders are read" in read_with_js(pax, tmp_path)["error"]


def test_a_file_that_is_not_a_tar_damaged_or_cut_short_is_refused(tmp_path):
    page = tmp_path / "page.tar"
    page.write_bytes(b"<!doctype html><title>404</title>" + b" " * 1000)
    assert read_with_js(page, tmp_path) == {"error": "the tar is not a ustar tar (header at byte 0)"}

    good = make_tar(tmp_path / "good.tar", [("pkg/a.txt", b"a" * 5000), ("pkg/b.txt", b"b")]).read_bytes()
    damaged = bytearray(good)
    damaged[0] ^= 1  # one bit of the first name
    (tmp_path / "damaged.tar").write_bytes(bytes(damaged))
    assert read_with_js(tmp_path / "damaged.tar", tmp_path) == {"error": "the tar: the header at byte 0 is damaged"}

    (tmp_path / "cut.tar").write_bytes(good[:512 + 2048])
    assert read_with_js(tmp_path / "cut.tar", tmp_path) == {"error": "the tar: pkg/a.txt is cut short"}
    (tmp_path / "no-end.tar").write_bytes(good[:512 * 13])  # both files, no end-of-archive block
    assert read_with_js(tmp_path / "no-end.tar", tmp_path) == {"error": "the tar is cut short (no end-of-archive blocks)"}


def test_a_name_outside_the_folder_is_never_written(tmp_path):
    path = make_tar(tmp_path / "escape.tar", [("../../etc/evil.txt", b"x")])
    assert read_with_js(path, tmp_path) == {"error": "refusing to write ../../etc/evil.txt outside /site"}
