app_name = "notices"
urlpatterns = []  # notices (issue 4) fill this in
