from django.urls import path

from tickets import views

app_name = "tickets"
urlpatterns = [
    path("", views.QueueView.as_view(), name="queue"),
    path("new/", views.LogCallView.as_view(), name="create"),
    path("search/", views.search, name="search"),
    path("callers/", views.CallerSearchView.as_view(), name="caller_search"),
    path("preview/", views.CallPreviewView.as_view(), name="call_preview"),
    path("callers/<int:pk>/", views.CallerCardView.as_view(), name="caller_card"),
    path("instances/<int:pk>/items/", views.InstanceItemsView.as_view(), name="instance_items"),
    path("<str:number>/", views.TicketDetailView.as_view(), name="detail"),
    path("<str:number>/edit/", views.TicketEditView.as_view(), name="edit"),
    path("<str:number>/assign/", views.AssignView.as_view(), name="assign"),
    path("<str:number>/transition/", views.TransitionView.as_view(), name="transition"),
    path("<str:number>/notes/", views.NoteView.as_view(), name="note"),
]
