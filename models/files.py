"""Reading a file a person names (a programme file, an import): a regular file, not too big.

`open()` on a FIFO waits for a writer that never comes, and `read()` of `/dev/zero` never
ends; both were a hung `fremdrift programme load`. So the file is opened without blocking,
looked at (`fstat`) before a byte is read, and read no further than the limit: anything
but a regular file is refused at once, and so is a file over `FILE_BYTES_LIMIT` (also one
that grows while it is read). Each refusal is an `OSError` of its own kind, which the
caller turns into its own message (models/programme_file.py, service/imports.py).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from conversations.limits import FILE_BYTES_LIMIT

__all__ = ["FileTooLarge", "NotARegularFile", "read_regular_file"]

_CHUNK = 1 << 16


class NotARegularFile(OSError):
    """A FIFO, a device, a socket: not a file to read a programme or an import from."""


class FileTooLarge(OSError):
    """More bytes than `FILE_BYTES_LIMIT`."""


def read_regular_file(path: Path, limit: int = FILE_BYTES_LIMIT) -> bytes:
    """The file's bytes; raises FileNotFoundError, IsADirectoryError, NotARegularFile,
    FileTooLarge or another OSError (no permission, an I/O error)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    descriptor = os.open(path, flags)  # a FIFO opens at once without waiting for a writer
    try:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(str(path))
        if not stat.S_ISREG(mode):
            raise NotARegularFile(str(path))
        if os.fstat(descriptor).st_size > limit:
            raise FileTooLarge(str(path))
        chunks: list[bytes] = []
        size = 0
        while chunk := os.read(descriptor, _CHUNK):
            size += len(chunk)
            if size > limit:  # it grew while we read
                raise FileTooLarge(str(path))
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(descriptor)
