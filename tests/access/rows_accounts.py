from tests.access.matrix import LOGIN, Row, everyone

ROWS = [
    # One tenant (or one operator) and nothing else → straight to it; staff get a page.
    Row("home", everyone(302, sam=200)),
    Row("login", everyone(302, anonymous=200)),  # signed-in users are sent home
    Row("logout", everyone(302), method="post"),
    Row("profile", everyone(200, anonymous=LOGIN)),
    Row(
        "profile",
        everyone(302, anonymous=LOGIN),
        method="post",
        data={"full_name": "Someone Else", "time_zone": "Europe/Berlin"},
    ),
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
