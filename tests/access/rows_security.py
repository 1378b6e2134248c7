"""Access rows of the security pages: sign out everywhere (a POST of the signed-in user)."""

from tests.access.matrix import LOGIN, Row, everyone

ROWS = [
    # Anyone signed in may end their own other sessions; nobody can end someone else's.
    Row("sign_out_everywhere", everyone(302, anonymous=LOGIN), method="post"),
    Row("sign_out_everywhere", everyone(405, anonymous=LOGIN)),
]
