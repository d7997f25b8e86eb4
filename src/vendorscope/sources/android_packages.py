"""Android package lists: ``adb shell pm list packages -f`` or ``dumpsys package`` output, one device a file.

The text names no device, so the host is ``--host`` (else the file name's stem). Either command lists
every installed package, so the file is the device's whole list of Android packages.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO

from vendorscope.collect.mobile import android_items, is_android_list
from vendorscope.sources.base import Hints, Observation, Problem, Record

METHOD = "android-package-list"


class AndroidPackages:
    name = "android-packages"
    description = "Android `pm list packages -f` / `dumpsys package` output"

    def identify(self, filename: str, head: bytes) -> bool:
        return is_android_list(head)

    def parse(self, stream: IO[bytes], filename: str, hints: Hints) -> Iterator[Record]:
        host = hints.host or Path(filename).name.split(".", 1)[0]
        observation = Observation(host=host, method=METHOD, complete_sources=("android_packages",))
        lines = ((n, raw.decode("utf-8", errors="replace").rstrip("\r\n")) for n, raw in enumerate(stream, start=1))
        for number, found in android_items(lines):
            if isinstance(found, str):
                yield Problem(number, found)
            else:
                observation.items.append(found)
        if observation.items:
            yield observation


FORMAT = AndroidPackages()
