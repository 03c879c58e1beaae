from django.urls import path

from . import views

app_name = "resources"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.resource_new, name="new"),
    path("<int:pk>/", views.resource_detail, name="detail"),
    path("<int:pk>/month/", views.resource_month, name="month"),
    path("<int:pk>/book/", views.book, name="book"),
    path("<int:pk>/edit/", views.resource_edit, name="edit"),
    path("<int:pk>/calendar.ics", views.resource_ics, name="ics"),
    path("bookings/", views.booking_list, name="bookings"),
    path("bookings/mine/", views.my_bookings, name="mine"),
    path("bookings/<int:pk>/", views.booking_detail, name="booking"),
    path("bookings/<int:pk>/decide/", views.booking_decide, name="decide"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="cancel"),
    path("centres/", views.centre_list, name="centres"),
    path("centres/<int:pk>/", views.centre_detail, name="centre"),
    path("map/", views.living_map, name="map"),
    path("map/data/", views.living_map_data, name="map_data"),
]
