"""``python -m lca.cli``: the ``vlca`` command without the console script."""

from lca.cli.app import main

if __name__ == "__main__":
    main()
