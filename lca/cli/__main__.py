"""``python -m lca.cli``: the ``vlca`` command without the console script."""

from lca.cli import main

if __name__ == "__main__":
    main()
