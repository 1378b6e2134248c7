app_name = "exports"
urlpatterns = []  # exports (issue 5) fill this in
