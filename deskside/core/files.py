"""Files written so that a full disk or a crash never leaves a partial one under its name.

Every file Deskside keeps (mail originals, ticket attachments) is written by `write`: to a
temporary name in the same directory, flushed and fsynced, then renamed into place (one atomic
step on a POSIX file system) and the directory fsynced, so that the name appears only with the
whole content and survives a power cut. On any error the temporary file is removed and the
error (an OSError: ENOSPC for a full disk, EDQUOT for a quota ...) goes up to the caller, who
answers "try again later": nothing is left behind.

`DurableStorage` is Django's FileSystemStorage with its `_save` going through `write`; it is
the project's default storage (settings.STORAGES), so `FileField.save` and
`default_storage.save` are durable wherever they are called. `keep` stores content-addressed
bytes (a mail original named by its SHA-256): a file already there counts only when its size
and hash match; anything else (a 0-byte or cut file an older version or a crash left) is
treated as absent and rewritten.

`removed_on_error()` wraps a transaction: the files saved inside it are deleted again when it
ends with an exception, so that a rollback does not leave files that no row refers to.

A crash between the temporary file's creation and the rename can leave a `.<name>.*.part`
file beside it: never under a name that anything refers to, safe to delete at any time.
"""

import contextlib
import hashlib
import os
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.utils.deconstruct import deconstructible

PART_SUFFIX = ".part"
_blocks = threading.local()  # the open `removed_on_error` blocks of this thread


def write(
    path: str | os.PathLike[str],
    chunks: Iterable[bytes | str],
    *,
    replace: bool = False,
    mode: int = 0o644,
) -> int:
    """Write `chunks` to `path` durably (see the module docstring) and return the size.

    With `replace`, an existing file at `path` is replaced in one step (readers see the old or
    the new content, never a mix); without it, an existing file is left alone and
    FileExistsError is raised. Raises OSError when the content could not be written (the disk
    is full ...): `path` is then as it was before, and no temporary file remains."""
    path = Path(path)
    directory = path.parent
    _makedirs(directory)
    fd, temporary = _temporary(directory, path.name)
    size = 0
    try:
        try:
            os.fchmod(fd, mode)
            for chunk in chunks:
                data = chunk.encode() if isinstance(chunk, str) else chunk
                size += _write_all(fd, data)
            os.fsync(fd)  # the content is on the disk before the name points to it
        finally:
            os.close(fd)
        if replace:
            os.replace(temporary, path)
        else:
            os.link(temporary, path)  # atomic, and never over an existing file
            os.unlink(temporary)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _fsync_directory(directory)
    return size


def _temporary(directory: Path, name: str) -> tuple[int, str]:
    """A new file beside the target (the same file system, so the rename is atomic)."""
    stem = f".{name[:80]}.{os.urandom(6).hex()}"
    path = str(directory / f"{stem}{PART_SUFFIX}")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    return os.open(path, flags, 0o600), path


def _write_all(fd: int, data: bytes) -> int:
    """os.write may write less than it was given (a signal, a nearly full disk): loop until
    all is written or it raises (ENOSPC ...)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
    return len(data)


def _makedirs(directory: Path) -> None:
    """Create the missing directories, each made durable in its parent."""
    missing = []
    while not directory.is_dir():
        missing.append(directory)
        directory = directory.parent
    for new in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it meanwhile
            new.mkdir()
        _fsync_directory(new.parent)


def _fsync_directory(directory: Path) -> None:
    """Make a new or renamed entry of `directory` durable (POSIX; a no-op where a directory
    cannot be opened, as on Windows)."""
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # a file system that does not fsync directories (some network mounts)
        pass
    finally:
        os.close(fd)


@deconstructible(path="deskside.core.files.DurableStorage")
class DurableStorage(FileSystemStorage):
    """FileSystemStorage whose saves never leave a partial file (see `write`). The name
    rules are Django's: an existing name gets a new one unless `allow_overwrite`."""

    def _save(self, name: str, content: File) -> str:
        full_path = self.path(name)
        while True:
            try:
                write(
                    full_path,
                    content.chunks(),  # (File.chunks starts again from the beginning)
                    replace=self._allow_overwrite,
                    mode=self.file_permissions_mode or 0o644,
                )
            except FileExistsError:
                name = self.get_available_name(name)
                full_path = self.path(name)
            else:
                break
        self._ensure_location_group_id(full_path)
        name = os.path.relpath(full_path, self.location).replace("\\", "/")
        for written in getattr(_blocks, "stack", ()):
            written.append((self, name))
        return name

    def overwrite(self, name: str, content: File) -> str:
        """Write `content` under exactly `name`, replacing what is there in one step. Not
        undone by `removed_on_error`: a content-addressed file may be another row's as well."""
        write(
            self.path(name),
            content.chunks(),
            replace=True,
            mode=self.file_permissions_mode or 0o644,
        )
        return name


@contextlib.contextmanager
def removed_on_error() -> Iterator[None]:
    """Delete the files saved through DurableStorage inside this block (in this thread) when
    the block ends with an exception, then let the exception go on. Put it outside a
    transaction (`with removed_on_error(), transaction.atomic():`) so that the files go with
    the rows that the rollback took."""
    stack = _blocks.__dict__.setdefault("stack", [])
    written: list[tuple[Storage, str]] = []
    stack.append(written)
    try:
        yield
    except BaseException:
        for storage, name in reversed(written):
            storage.delete(name)
        raise
    finally:
        stack.pop()  # (blocks nest: this one is the last)


def sha256(name: str, storage: Storage | None = None) -> str:
    """The SHA-256 (hex) of a stored file; raises OSError when it cannot be read."""
    storage = storage or default_storage
    digest = hashlib.sha256()
    with storage.open(name, "rb") as fh:
        for chunk in fh.chunks():
            digest.update(chunk)
    return digest.hexdigest()


def intact(name: str, *, size: int, digest: str, storage: Storage | None = None) -> bool:
    """Whether `name` is stored whole: it exists with this size and this SHA-256."""
    storage = storage or default_storage
    try:
        return storage.size(name) == size and sha256(name, storage) == digest
    except OSError:  # missing or unreadable: as good as absent
        return False


def keep(name: str, data: bytes, *, digest: str, storage: Storage | None = None) -> None:
    """Store content-addressed `data` (whose SHA-256 is `digest`) under `name`, unless it is
    there intact already; a file of another size or hash is replaced. Raises OSError when the
    bytes could not be written."""
    storage = storage or default_storage
    if intact(name, size=len(data), digest=digest, storage=storage):
        return
    if isinstance(storage, DurableStorage):
        storage.overwrite(name, ContentFile(data))
    else:  # object storage (S3 ...): a PUT replaces the object whole
        storage.delete(name)
        storage.save(name, ContentFile(data))
