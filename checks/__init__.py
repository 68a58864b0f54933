"""checks: the validation engine — readers, profiles, rules, drift statistics.

May import: contracts. Never service (no HTTP, terminals or databases here).
"""
