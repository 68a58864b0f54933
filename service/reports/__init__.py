"""reports: how results look to people and machines — terminal tables, JSON, the drift HTML."""
