"""An export storage on a disk that fills up mid-file (a helper module, not a test module).

The first KiB of a file lands in the real folder; the rest goes to ``/dev/full``, whose writes
the kernel refuses with ENOSPC — a real "no space left on device", not a raised imitation.
"""

import os

from django.core.files.storage import FileSystemStorage


class FullDiskStorage(FileSystemStorage):
    def _save(self, name, content):
        path = self.path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as partial, open("/dev/full", "wb", buffering=0) as full:
            for chunk in content.chunks():
                if partial.tell() < 1024:
                    partial.write(chunk[:1024])
                    partial.flush()
                full.write(chunk)  # OSError(ENOSPC)
        return name
