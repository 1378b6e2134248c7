"""Access matrix rows of exports: the operator portal, the tenant side, API tokens."""

from datetime import timedelta

from django.utils import timezone

from tests.access.matrix import LOGIN, Row, everyone


def _job(w):
    """A queued export of Contoso for operator O, requested by Alice."""
    from exports.models import ExportJob

    job, _ = ExportJob.objects.get_or_create(
        dedupe_key="matrix",
        defaults=dict(
            tenant=w.tenant_a, operator=w.operator_o, requested_by=w.alice,
            requested_via="tenant", datasets=["numbers"], format="csv",
            start=timezone.now() - timedelta(days=1), end=timezone.now(),
        ),
    )  # fmt: skip
    return job


def op(w, **extra):
    return {"operator_slug": "operator-o", **extra}


def op_job(w):
    return op(w, job_id=_job(w).pk)


def t_job(w):
    return {"tenant_slug": "contoso", "job_id": _job(w).pk}


OPERATOR_READ = everyone(404, anonymous=LOGIN, oscar=200, sam=200)
TENANT_READ = everyone(404, anonymous=LOGIN, alice=200, victor=200, sam=200)

ROWS = [
    Row("operator:home", OPERATOR_READ, kwargs=op),
    Row(
        "operator:relationship",
        everyone(404, anonymous=LOGIN, oscar=403, sam=302),  # analysts may not; admins may
        kwargs=lambda w: op(w, tenant_slug="contoso"),
        method="post",
        data={"status": "agreement_signed"},
    ),
    Row("operator:exports", OPERATOR_READ, kwargs=op),
    Row("operator:export_new", OPERATOR_READ, kwargs=op),
    Row("operator:export", OPERATOR_READ, kwargs=op_job),
    Row("operator:export_status", OPERATOR_READ, kwargs=op_job),
    # queued: not ready yet (409) for those who may download it once it is
    Row(
        "operator:export_download",
        everyone(404, anonymous=LOGIN, oscar=409, sam=409),
        kwargs=op_job,
    ),  # fmt: skip
    # only the requester (Alice, tenant side) or staff may cancel
    Row(
        "operator:export_cancel",
        everyone(404, anonymous=LOGIN, oscar=403, sam=302),
        kwargs=op_job,
        method="post",
    ),  # fmt: skip
    Row("exports:tenant_exports", TENANT_READ, kwargs={"tenant_slug": "contoso"}),
    Row(
        "exports:tenant_export_new",
        everyone(404, anonymous=LOGIN, alice=200, victor=403, sam=200),
        kwargs={"tenant_slug": "contoso"},
    ),
    Row("exports:tenant_shared", TENANT_READ, kwargs={"tenant_slug": "contoso"}),
    Row("exports:tenant_export", TENANT_READ, kwargs=t_job),
    Row("exports:tenant_export_status", TENANT_READ, kwargs=t_job),
    Row(
        "exports:tenant_export_download",
        everyone(404, anonymous=LOGIN, alice=409, victor=409, sam=409),
        kwargs=t_job,
    ),  # fmt: skip
    Row(
        "exports:tenant_export_cancel",
        everyone(404, anonymous=LOGIN, alice=302, victor=403, sam=302),
        kwargs=t_job,
        method="post",
    ),  # fmt: skip
    Row("tokens", everyone(200, anonymous=LOGIN)),
    Row("tokens", everyone(400, anonymous=LOGIN), method="post", data={"name": ""}),
    Row(
        "token_revoke",
        everyone(404, anonymous=LOGIN),
        method="post",
        data={"token": "999999"},
    ),  # fmt: skip
]
