"""``python -m vendorscope``."""

from vendorscope.cli import main

main()
