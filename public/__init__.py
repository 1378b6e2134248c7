"""The public privacy notice (``/notice/<tenant>/``): end users, no sign-in (docs/notice.md)."""
