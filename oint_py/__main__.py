"""`python -m oint_py` is the same as `oint`."""

from oint_py.cli import main

if __name__ == "__main__":
    main()
