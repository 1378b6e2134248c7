"""Demo and benchmark code: never imported by the product (import-linter contract ``demo``).

The demo world behind ``make run`` (``seed``, ``catalog``, ``world``, ``inventory``, ``calls``,
``writers``), the benchmarks behind ``make bench*`` (``bench_*``) and their management commands.
An installed app only so that Django finds those commands; it has no models.
"""
