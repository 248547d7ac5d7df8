"""The freshness floor: list ``data/cases/`` and ``lstat`` every file, nothing else.

``python bench/stat_floor.py ROOT`` prints how many regular ``*.toml`` files it saw. Every
warm exilecases command does this much before any work (the index is trusted only for files
whose size, times and inode are unchanged), so at 100,000 cases it is the floor of a warm
``list``, ``search`` or ``stats`` short of trusting the index without looking at the files.
"""

import os
import stat
import sys

folder = os.path.join(sys.argv[1], "data", "cases")
fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
count = 0
for name in os.listdir(fd):
    if name.endswith(".toml") and stat.S_ISREG(
        os.stat(name, dir_fd=fd, follow_symlinks=False).st_mode
    ):
        count += 1
os.close(fd)
print(count)
