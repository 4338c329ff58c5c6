"""Writing files safely: atomically, privately, and only where we mean to.

Everything visitplanner writes (the kept plan, publish state, calendars, feed
tokens) goes through :func:`write_atomic`, so a crash or a full disk never
leaves a half-written file behind: readers see the old file or the new one.
Every file is written with mode 0600 (unless a caller asks otherwise), and the
temporary file of a write that was killed (``.NAME.XXXXXXXX.tmp``, holding the
full content) is removed the next time ``NAME`` is written
(:func:`remove_leftover_temporaries`).
File names built from ids that came from a CSV go through
:func:`safe_filename`, so no id can name a path outside its folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import tempfile
import time
from pathlib import Path

#: Characters a file name may keep as they are.
_SAFE_CHARS = re.compile(r"[A-Za-z0-9._-]")
#: The suffix :func:`safe_filename` appends to a name it had to change.
_SUFFIX = re.compile(r"-h[0-9a-f]{16}$")
_SUFFIX_LENGTH = len("-h") + 16
#: Long enough for any sensible id, short enough for every file system (255 bytes).
_MAX_KEPT = 100
#: The mode of every file written: the owner's only (calendars and state hold safeguarding data).
PRIVATE_MODE = 0o600
#: How a temporary file is named: ``.NAME.`` + random letters, digits or ``_`` + ``.tmp``.
_TEMP_SUFFIX = ".tmp"
_TEMP_MIDDLE = r"[A-Za-z0-9_]+"
#: A temporary file younger than this is never removed as a leftover, in seconds: its write
#: may have just made it and not yet taken its lock (see :func:`write_atomic`).
LEFTOVER_MIN_AGE_SECONDS = 30


def write_atomic(path: Path, data: bytes, mode: int = PRIVATE_MODE) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half.

    The bytes go to a temporary file in the same folder (same file system, so
    :func:`os.replace` is atomic), which is flushed to disk before it replaces
    ``path``.  The file gets ``mode`` (0600 by default: calendars and state
    hold safeguarding data) whatever the umask.  The temporary file is locked
    (``flock``) from just after it is made until it has replaced ``path``, so that
    :func:`remove_leftover_temporaries`, run first, tells a live write from a dead one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_leftover_temporaries(path)
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=_temp_prefix(path),
                                     suffix=_TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # released when the handle closes
            os.fchmod(handle.fileno(), mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    _fsync_folder(path.parent)


def write_if_changed(path: Path, data: bytes, mode: int = PRIVATE_MODE) -> bool:
    """Write ``data`` atomically unless ``path`` already holds exactly these bytes.

    Returns True when the file was written.  An unchanged file keeps its bytes
    and modification time (so subscribers and sync tools see no change), but
    its mode is still corrected to ``mode`` and its leftover temporary files are
    removed, as by a write.
    """
    try:
        if path.read_bytes() == data:
            if path.stat().st_mode & 0o777 != mode:
                path.chmod(mode)
            remove_leftover_temporaries(path)
            return False
    except FileNotFoundError:
        pass
    write_atomic(path, data, mode)
    return True


def remove_leftover_temporaries(path: Path) -> list[Path]:
    """Remove the temporary files that killed writes of ``path`` left behind; return them.

    A temporary file of ``path`` (``.NAME.XXXXXXXX.tmp`` beside it) is a leftover when
    no write holds its lock (the operating system drops a lock when its process dies,
    however it dies) and it is at least :data:`LEFTOVER_MIN_AGE_SECONDS` old.  Other
    files, and the temporary files of other names, are never touched.
    """
    pattern = re.compile(re.escape(_temp_prefix(path)) + _TEMP_MIDDLE + re.escape(_TEMP_SUFFIX))
    try:
        candidates = [entry for entry in path.parent.iterdir() if pattern.fullmatch(entry.name)]
    except FileNotFoundError:
        return []
    return [entry for entry in sorted(candidates) if _remove_if_abandoned(entry)]


def _remove_if_abandoned(temporary: Path) -> bool:
    try:
        with temporary.open("rb") as handle:
            if time.time() - os.fstat(handle.fileno()).st_mtime < LEFTOVER_MIN_AGE_SECONDS:
                return False
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:  # a write in progress holds it
                return False
            temporary.unlink()
            return True
    except OSError:  # its write finished (renamed it) meanwhile, or it cannot be opened
        return False


def _temp_prefix(path: Path) -> str:
    return f".{path.name}."


def safe_filename(name: str) -> str:
    """Turn any id into a file name that stays inside its folder.

    The result uses only ``A-Z a-z 0-9 . _ -``, never starts with a dot (or a
    dash, which shell commands would read as an option) and is never empty, so
    ``"../../etc/passwd"``, ``"a/b"`` or ``".hidden"`` cannot leave the folder
    or hide in it.  A name that is already safe is kept as it
    is; a name that had to change gets ``-h`` and 16 hex digits of its SHA-256,
    so two different ids never share a file name (a kept name cannot end in
    such a suffix: an id that does is treated as changed).

    >>> safe_filename("w-0012")
    'w-0012'
    >>> safe_filename("../x")
    '_.._x-hd6b96a97d147daaa'
    """
    if _is_kept_as_is(name):
        return name
    cleaned = "".join(ch if _SAFE_CHARS.fullmatch(ch) else "_" for ch in name[:_MAX_KEPT])
    if not cleaned or cleaned[0] in ".-":
        cleaned = "_" + cleaned
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"{cleaned}-h{digest}"


def _is_kept_as_is(name: str) -> bool:
    return (
        bool(name)
        and len(name) <= _MAX_KEPT + _SUFFIX_LENGTH
        and name[0] not in ".-"
        and all(_SAFE_CHARS.fullmatch(ch) for ch in name)
        and not _SUFFIX.search(name)
    )


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX: the folder entry must reach the disk too)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
