"""Tenant-admin web views, one module per feature."""
