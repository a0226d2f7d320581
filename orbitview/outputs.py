"""Output files written safely: checked before any work, under a temporary name, renamed into place.

An existing file is never replaced unless ``force``; a failed or interrupted write leaves nothing
behind (the temporary file sits in the target's own folder, so the final rename is atomic).
"""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .errors import OrbitviewError


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


@contextmanager
def atomic_output(path: str | Path, suffixes: tuple[str, ...], force: bool = False) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success rename it into place, else delete it."""
    path = check_output(path, suffixes, force)
    tmp = path.with_name(f".{path.stem}.{uuid.uuid4().hex[:8]}.partial{path.suffix}")
    try:
        yield tmp
        _publish(tmp, path, force)
    finally:
        tmp.unlink(missing_ok=True)


def _publish(tmp: Path, path: Path, force: bool) -> None:
    if not tmp.is_file():
        raise OrbitviewError(f"{path}: nothing was written")
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
