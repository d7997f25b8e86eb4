"""vendorscope: find a vendor of concern in an organization and answer for it with evidence."""

__version__ = "0.1.0"
