"""The operator portal, under ``/o/<operator_slug>/``: operator staff (docs/operator.md)."""
