"""deskside.core.files: a file appears whole under its name or not at all."""

import errno
import hashlib
import os

import pytest
from django.core.files.base import ContentFile

from deskside.core import files
from deskside.core.files import DurableStorage


def failing_after(monkeypatch, room: int) -> None:
    """os.write writes `room` more bytes, then fails with ENOSPC (a disk filling up)."""
    real_write = os.write
    left = [room]

    def write(fd, data):
        if left[0] <= 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        written = real_write(fd, memoryview(data)[: left[0]])
        left[0] -= written
        return written

    monkeypatch.setattr(os, "write", write)


def test_write_creates_the_directories_and_the_file(tmp_path):
    target = tmp_path / "a" / "b" / "file.bin"

    assert files.write(target, [b"one ", "two"]) == 7

    assert target.read_bytes() == b"one two"
    assert os.listdir(target.parent) == ["file.bin"]  # no temporary file beside it


def test_a_full_disk_leaves_neither_the_file_nor_a_temporary_one(tmp_path, monkeypatch):
    failing_after(monkeypatch, 10)

    with pytest.raises(OSError) as error:
        files.write(tmp_path / "file.bin", [b"x" * 6, b"y" * 6, b"z" * 6])

    assert error.value.errno == errno.ENOSPC
    assert os.listdir(tmp_path) == []


def test_a_failed_replace_keeps_the_old_content(tmp_path, monkeypatch):
    target = tmp_path / "file.bin"
    target.write_bytes(b"old")
    failing_after(monkeypatch, 2)

    with pytest.raises(OSError):
        files.write(target, [b"new content"], replace=True)

    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["file.bin"]


def test_without_replace_an_existing_file_is_never_overwritten(tmp_path):
    target = tmp_path / "file.bin"
    target.write_bytes(b"first")

    with pytest.raises(FileExistsError):
        files.write(target, [b"second"])

    assert target.read_bytes() == b"first"
    assert os.listdir(tmp_path) == ["file.bin"]


def test_storage_saves_under_a_new_name_when_the_name_is_taken(tmp_path):
    storage = DurableStorage(location=tmp_path)

    first = storage.save("dir/a.txt", ContentFile(b"one"))
    second = storage.save("dir/a.txt", ContentFile(b"two"))

    assert first == "dir/a.txt" and second != first
    assert (tmp_path / first).read_bytes() == b"one"
    assert (tmp_path / second).read_bytes() == b"two"


def test_keep_rewrites_a_file_of_the_wrong_size_or_hash(tmp_path):
    storage = DurableStorage(location=tmp_path)
    data = b"the whole message"
    digest = hashlib.sha256(data).hexdigest()
    (tmp_path / "m").mkdir()
    for damaged in (b"", b"the whole messagX"):  # a 0-byte file; the same size, other bytes
        (tmp_path / "m" / "x.eml").write_bytes(damaged)
        assert not files.intact("m/x.eml", size=len(data), digest=digest, storage=storage)

        files.keep("m/x.eml", data, digest=digest, storage=storage)

        assert (tmp_path / "m" / "x.eml").read_bytes() == data
        assert files.intact("m/x.eml", size=len(data), digest=digest, storage=storage)
    assert os.listdir(tmp_path / "m") == ["x.eml"]


def test_keep_leaves_an_intact_file_alone(tmp_path, monkeypatch):
    storage = DurableStorage(location=tmp_path)
    data = b"already here"
    name = storage.save("m/x.eml", ContentFile(data))
    failing_after(monkeypatch, 0)  # a write would fail: keep must not write

    files.keep(name, data, digest=hashlib.sha256(data).hexdigest(), storage=storage)

    assert (tmp_path / name).read_bytes() == data


def test_removed_on_error_deletes_what_was_saved_inside_it_nested_too(tmp_path):
    storage = DurableStorage(location=tmp_path)
    kept = storage.save("kept.txt", ContentFile(b"before"))

    with pytest.raises(RuntimeError), files.removed_on_error():
        storage.save("outer.txt", ContentFile(b"1"))
        with files.removed_on_error():
            storage.save("inner.txt", ContentFile(b"2"))  # its block ended well ...
        raise RuntimeError("... but the outer one fails")

    assert sorted(os.listdir(tmp_path)) == [kept]
    with files.removed_on_error():
        done = storage.save("done.txt", ContentFile(b"3"))
    assert sorted(os.listdir(tmp_path)) == [done, kept]
