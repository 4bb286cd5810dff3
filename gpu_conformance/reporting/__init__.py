"""What a conformance run tells people who did not run it: the table of checks, root causes first, and summary.json."""
