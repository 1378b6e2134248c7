from tests.access.matrix import Row, everyone

ROWS = [
    Row("healthz", everyone(200)),
    Row("readyz", everyone(200)),
]

ROWS += [
    Row("api:schema", everyone(200)),
    Row("api:docs", everyone(200)),
]
