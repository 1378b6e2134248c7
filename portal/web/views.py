from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    """Placeholder until the tenant-admin portal lands: lists where the user can go."""
    return render(request, "portal/home.html")
