"""What a conformance run tells people who did not run it: the node x check matrix, summary.json."""
