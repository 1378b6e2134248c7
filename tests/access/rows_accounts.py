from tests.access.matrix import LOGIN, Row, everyone

ROWS = [
    # One tenant and no operator → straight to its dashboard; operator users and staff get a page.
    Row("home", everyone(200, anonymous=LOGIN, alice=302, victor=302, bob=302)),
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
