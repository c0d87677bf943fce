#!/usr/bin/env bash
# Refresh the pinned requirements from the loose ranges in requirements/*.in.
#
#   requirements/compile.sh            (needs uv: `pip install uv`)
#
# Writes, for Python 3.11 (the version the tests are run with; one resolution for every
# platform):
#   lock.txt       every package of the package and all its extras, pinned, with hashes
#                  (CI installs it with `pip install --require-hashes`)
#   base.txt       the pins of the package's own dependencies      -> [project] dependencies
#   test.txt, brightway.txt, dask.txt: the pins of each extra      -> optional-dependencies
# pyproject.toml reads base.txt and the extras' files, so `pip install -e .` and
# `pip install -e '.[test]'` install exactly these versions. Every *.txt is constrained by
# lock.txt, so all files agree on every version.
#
# Adding a dependency: (1) add it with its supported range to the right *.in file,
# (2) run this script; commit the *.in and *.txt together. To move to newer versions, run
# this script with --upgrade (passed to uv), then run the tests.
set -euo pipefail
cd "$(dirname "$0")"
opts=(--universal --fork-strategy fewest --python-version 3.11 -q
      --custom-compile-command "requirements/compile.sh")
uv pip compile "${opts[@]}" "$@" --generate-hashes \
  base.in test.in brightway.in dask.in -o lock.txt
for group in base test brightway dask; do
  uv pip compile "${opts[@]}" "$group.in" -c lock.txt -o "$group.txt"
done
