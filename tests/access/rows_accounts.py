from tests.access.matrix import LOGIN, Row, everyone

ROWS = [
    Row("home", everyone(200, anonymous=LOGIN)),
    Row("login", everyone(200)),
    Row("logout", everyone(302), method="post"),
    Row("password_change", everyone(200, anonymous=LOGIN)),
    Row("password_change_done", everyone(200, anonymous=LOGIN)),
    Row("password_reset", everyone(200)),
    Row("password_reset_done", everyone(200)),
    Row("password_reset_complete", everyone(200)),
    Row(
        "password_reset_confirm",
        everyone(200),
        kwargs={"uidb64": "MQ", "token": "set-password"},
    ),
]
