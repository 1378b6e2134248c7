"""Pages of one organization, under ``/t/<tenant_slug>/``: tenant admins and viewers."""
