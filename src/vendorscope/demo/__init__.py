"""Sample data that lets the tool be tried, tested and benchmarked without a real fleet."""
