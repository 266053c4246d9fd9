"""``python -m coldchain`` runs the command line."""

from coldchain.cli import main

if __name__ == "__main__":  # guarded: Dask's spawned worker processes import the main module
    main()
