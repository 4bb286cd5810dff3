"""The GPU exporter of every GPU node, scraped at once and read: targets, bounded scrapes, formats, facts."""
