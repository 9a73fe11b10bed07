"""Nothing of the audit log is registered in the Django admin, on purpose.

三权分立 (security.md §B.11): the system administrator, who uses the admin,
must neither read nor purge audit logs. The 审计员 reads them on the audit
page (`jiuzhu.audit.views`), which changes nothing; the database refuses
updates and deletes anyway (migration 0002).
"""
