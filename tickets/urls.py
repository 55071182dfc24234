from django.urls import path

from tickets.views import calls, queue, search, ticket

app_name = "tickets"
urlpatterns = [
    path("", queue.QueueView.as_view(), name="queue"),
    path("new/", calls.LogCallView.as_view(), name="create"),
    path("search/", search.search, name="search"),
    path("callers/", calls.CallerSearchView.as_view(), name="caller_search"),
    path("preview/", calls.CallPreviewView.as_view(), name="call_preview"),
    path("callers/<int:pk>/", calls.CallerCardView.as_view(), name="caller_card"),
    path("instances/<int:pk>/items/", calls.InstanceItemsView.as_view(), name="instance_items"),
    path("<str:number>/", ticket.TicketDetailView.as_view(), name="detail"),
    path("<str:number>/edit/", ticket.TicketEditView.as_view(), name="edit"),
    path("<str:number>/assign/", ticket.AssignView.as_view(), name="assign"),
    path("<str:number>/transition/", ticket.TransitionView.as_view(), name="transition"),
    path("<str:number>/notes/", ticket.NoteView.as_view(), name="note"),
    path("<str:number>/call-note/", calls.CallNoteView.as_view(), name="call_note"),
]
