"""Case repositories whose names repeat the way real names do (issue 14).

``generate_collisions(root, n, seed)`` writes ``n`` cases like ``generate.py``'s (the same
statuses, events, sources and sizes), but the people are drawn, not made unique:

- surnames from a pool of ``n // 2`` (at least 100), Zipf-like (the surname of rank ``r``
  drawn with weight ``1 / r``), each in its male and female form, so the commonest ones
  repeat hundreds of times at 10,000 cases;
- first names Zipf-like over the generator's 20 male and 10 female names;
- a share (``duplicates``, 5 % by default) of cases are a second file for a person entered
  earlier, written as another caseworker would: in Cyrillic, in another Latin spelling, or
  the same way.

Ids stay unique (``surname-given-NNNNNN``), and every file is valid: ``validate`` reports
no error, only the likely duplicates (W104). Case ``i`` depends only on ``(seed, i)``.

Run as a script: ``python bench/collide.py DIR N [--seed S]``.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import random
import sys
import time
from pathlib import Path

from generate import _FEMALE_GIVEN, _MALE_GIVEN, _MALE_SUFFIXES, _Namer, generate

#: The share of cases that are a second file for a person entered before.
DUPLICATES = 0.05


def _zipf(size: int) -> list[float]:
    """Cumulative weights 1/1, 1/2, ... 1/size (for ``bisect``)."""
    return list(itertools.accumulate(1 / rank for rank in range(1, size + 1)))


class ZipfNamer(_Namer):
    """Who each case is, drawn Zipf-like, with second files for some people."""

    def __init__(self, n: int, seed: int, duplicates: float = DUPLICATES) -> None:
        super().__init__(n, seed)
        self.seed = seed
        self.duplicates = duplicates
        self.surnames = _zipf(max(100, n // 2))
        self.male = _zipf(len(_MALE_GIVEN))
        self.female = _zipf(len(_FEMALE_GIVEN))

    @staticmethod
    def _draw(rng: random.Random, cumulative: list[float]) -> int:
        return bisect.bisect_left(cumulative, rng.random() * cumulative[-1])

    def _drawn(self, index: int) -> tuple[str, str, bool, tuple, int]:
        """The person first entered as case ``index`` (its own random stream)."""
        rng = random.Random(f"exilecases-bench-names/{self.seed}/{index}")
        rank = self._draw(rng, self.surnames)
        stem, stem_cyr = self.stem(rank)
        female = rng.random() < 0.22
        names = _FEMALE_GIVEN if female else _MALE_GIVEN
        given = names[self._draw(rng, self.female if female else self.male)]
        return stem, stem_cyr, female, given, rank % len(_MALE_SUFFIXES)

    def person(self, index: int, rng: random.Random) -> tuple[str, str, bool, tuple, int, str]:
        chooser = random.Random(f"exilecases-bench-again/{self.seed}/{index}")
        if index and chooser.random() < self.duplicates:
            earlier = chooser.randrange(index)
            script = chooser.choice(["cyrillic", "variant", "latin"])
            return (*self._drawn(earlier), script)
        return (*self._drawn(index), "latin")

    def case_id(self, base: str, index: int) -> str:
        return f"{base}-{index:06d}"


def generate_collisions(
    root: Path, n: int, seed: int = 0, duplicates: float = DUPLICATES
) -> dict[str, int]:
    """Write ``n`` cases with repeating names to ``root/data/cases/``; the count per status."""
    return generate(root, n, seed, namer=lambda n, seed: ZipfNamer(n, seed, duplicates))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", type=Path, help="the case repository to write (data/cases/)")
    parser.add_argument("n", type=int, help="how many cases")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--duplicates", type=float, default=DUPLICATES)
    args = parser.parse_args(argv)
    began = time.perf_counter()
    generate_collisions(args.root, args.n, args.seed, args.duplicates)
    seconds = time.perf_counter() - began
    print(f"{args.n:,} Zipf-named cases in {args.root / 'data' / 'cases'} ({seconds:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
