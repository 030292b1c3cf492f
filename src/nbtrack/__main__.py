"""python -m nbtrack: the command line."""

from nbtrack.cli import main

if __name__ == "__main__":
    main()
