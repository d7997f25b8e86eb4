"""vendorscope's own collector: host facts and software items from a live system or a mounted image."""
