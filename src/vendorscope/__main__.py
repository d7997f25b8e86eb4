"""``python -m vendorscope``."""

from vendorscope.cli import main

if __name__ == "__main__":  # guarded: the read-ahead process re-imports the main module
    main()
