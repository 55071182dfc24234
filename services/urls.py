from django.urls import path

from services import views

app_name = "services"
urlpatterns = [
    path("", views.ServiceInstanceListView.as_view(), name="instance_list"),
    path("instances/", views.ServiceInstanceListView.as_view(), name="instances"),
    path("instances/new/", views.ServiceInstanceCreateView.as_view(), name="instance_create"),
    path("instances/<int:pk>/", views.ServiceInstanceDetailView.as_view(), name="instance_detail"),
    path("instances/<int:pk>/edit/", views.ServiceInstanceEditView.as_view(), name="instance_edit"),
    path("groups/", views.CustomerGroupListView.as_view(), name="group_list"),
    path("groups/new/", views.CustomerGroupCreateView.as_view(), name="group_create"),
    path("groups/<int:pk>/", views.CustomerGroupDetailView.as_view(), name="group_detail"),
    path("groups/<int:pk>/edit/", views.CustomerGroupEditView.as_view(), name="group_edit"),
    path("calendars/<int:pk>/", views.CalendarDetailView.as_view(), name="calendar_detail"),
]
