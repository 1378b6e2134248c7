urlpatterns = []  # the tenant-admin web views (issue 3) fill this in
