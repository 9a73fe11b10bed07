"""Framework-free core of jiuzhu: identity, calendar, money, masking, policy.

Nothing here imports Django, a database driver or reads the clock; the
import-linter contract `domain-is-pure` keeps it so.
"""
