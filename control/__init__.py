"""Signed-in pages: the browser's side of the portal, grouped by who is reading.

``tenant/`` holds the pages of one organization (``/t/<tenant>/``), ``operator/`` the operator
portal (``/o/<operator>/``), ``account/`` what belongs to a person (sign-in, SSO, second factors,
API tokens). Every page is built on ``control.base``; none of them writes to a model: they parse
input, call one service and render (docs/architecture.md).
"""
