"""Output files written safely: checked before any work, under a temporary name, renamed into place.

An existing file is never replaced unless ``force``; a failed or interrupted write (any exception,
KeyboardInterrupt and SystemExit included) leaves nothing behind: the temporary file sits in the
target's own folder, so the final rename is atomic, and it is deleted on the way out. A write or
rename the file system refuses is one :class:`OrbitviewError` naming the path and the reason.
"""
from __future__ import annotations

import contextlib
import os
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .errors import OrbitviewError

NAME_MAX_BYTES = 255           # a file name's limit on Linux, macOS and Windows file systems
_TAG_HEX_DIGITS = 8


def check_output(path: str | Path, suffixes: tuple[str, ...], force: bool) -> Path:
    """The output path, or an error naming what is wrong with it (extension, folder, existing file)."""
    path = Path(path)
    if path.suffix.lower() not in suffixes:
        raise OrbitviewError(f"{path}: unknown extension {path.suffix or '(none)'!r}: expected {', '.join(suffixes)}")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OrbitviewError(f"{path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OrbitviewError(f"{path}: folder {folder} is not writable")
    if path.is_dir():
        raise OrbitviewError(f"{path}: is a folder: expected a file name")
    if path.exists() and not force:
        raise OrbitviewError(f"{path} exists: pass force=True (--force on the command line) to overwrite it")
    return path


def temporary_path(path: Path) -> Path:
    """``.NAME.<hex>.partial.EXT`` beside ``path``, its stem cut so the name stays within
    ``NAME_MAX_BYTES`` (a legal 250-byte name must not fail for its temporary twin)."""
    tail = f".{uuid.uuid4().hex[:_TAG_HEX_DIGITS]}.partial{path.suffix}"
    room = NAME_MAX_BYTES - 1 - len(tail.encode())
    stem = path.stem.encode()[:room].decode(errors="ignore")      # never half a UTF-8 character
    return path.with_name(f".{stem}{tail}")


@contextmanager
def atomic_output(path: str | Path, suffixes: tuple[str, ...], force: bool = False) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success rename it into place, else delete it.

    An OSError while the body writes or while publishing becomes one OrbitviewError naming ``path``.
    """
    path = check_output(path, suffixes, force)
    tmp = temporary_path(path)
    try:
        try:
            yield tmp
        except OSError as exc:
            raise _os_error(path, "cannot write", exc) from None
        _publish(tmp, path, force)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def _os_error(path: Path, doing: str, exc: OSError) -> OrbitviewError:
    return OrbitviewError(f"{path}: {doing}: {exc.strerror or exc}")


def _publish(tmp: Path, path: Path, force: bool) -> None:
    if not tmp.is_file():
        raise OrbitviewError(f"{path}: nothing was written")
    try:
        if force:
            os.replace(tmp, path)
            return
        try:
            os.link(tmp, path)                   # fails if the file appeared meanwhile: never clobber
        except FileExistsError:
            raise OrbitviewError(f"{path} appeared while writing: pass force=True to overwrite it") from None
        except OSError:                          # a file system without hard links
            if path.exists():
                raise OrbitviewError(f"{path} appeared while writing: pass force=True to overwrite it") from None
            os.replace(tmp, path)
    except OSError as exc:
        raise _os_error(path, "cannot move the finished file into place", exc) from None
