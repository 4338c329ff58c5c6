"""Writing files safely: atomically, privately, and only where we mean to.

Everything visitplanner writes (the kept plan, publish state, calendars, feed
tokens) goes through :func:`write_atomic`, so a crash or a full disk never
leaves a half-written file behind: readers see the old file or the new one.
File names built from ids that came from a CSV go through
:func:`safe_filename`, so no id can name a path outside its folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from pathlib import Path

#: Characters a file name may keep as they are.
_SAFE_CHARS = re.compile(r"[A-Za-z0-9._-]")
#: The suffix :func:`safe_filename` appends to a name it had to change.
_SUFFIX = re.compile(r"-h[0-9a-f]{16}$")
_SUFFIX_LENGTH = len("-h") + 16
#: Long enough for any sensible id, short enough for every file system (255 bytes).
_MAX_KEPT = 100


def write_atomic(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half.

    The bytes go to a temporary file in the same folder (same file system, so
    :func:`os.replace` is atomic), which is flushed to disk before it replaces
    ``path``.  The file gets ``mode`` (0600 by default: calendars and state
    hold safeguarding data) whatever the umask.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    _fsync_folder(path.parent)


def write_if_changed(path: Path, data: bytes, mode: int = 0o600) -> bool:
    """Write ``data`` atomically unless ``path`` already holds exactly these bytes.

    Returns True when the file was written.  An unchanged file keeps its bytes
    and modification time (so subscribers and sync tools see no change), but
    its mode is still corrected to ``mode``.
    """
    try:
        if path.read_bytes() == data:
            if path.stat().st_mode & 0o777 != mode:
                path.chmod(mode)
            return False
    except FileNotFoundError:
        pass
    write_atomic(path, data, mode)
    return True


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
