"""Public (no login) micro-wish pages, under ``/wish/``. The QR poster is the one staff
page here: it prints the address of these pages."""

from django.urls import path

from . import public_views as views

urlpatterns = [
    path("", views.home, name="wish-home"),
    path("new/", views.SubmitView.as_view(), name="wish-submit"),
    path("new/<str:code>/", views.SubmitView.as_view(), name="wish-submit-compound"),
    path("submitted/<str:code>/", views.submitted, name="wish-submitted"),
    path("track/", views.TrackView.as_view(), name="wish-track"),
    path("track/<str:code>/", views.track_detail, name="wish-track-detail"),
    path("track/<str:code>/withdraw/", views.WithdrawView.as_view(), name="wish-withdraw"),
    path("track/<str:code>/rate/", views.RateView.as_view(), name="wish-rate"),
    path("track/<str:code>/reopen/", views.ReopenView.as_view(), name="wish-reopen"),
    path("board/", views.board_index, name="wish-board-index"),
    path("board/<str:code>/", views.board, name="wish-board"),
    path("board/<str:code>/resolved/", views.resolved_board, name="wish-resolved-board"),
    path("poster/<str:code>/", views.poster, name="wish-poster"),
]
