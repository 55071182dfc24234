from django.urls import path

from tickets.views import bulk, calls, queue, saved_views, ticket

app_name = "tickets"
urlpatterns = [
    path("", queue.QueueView.as_view(), name="queue"),
    path("queue/columns/", queue.QueueColumnsView.as_view(), name="queue_columns"),
    path("queue/picks/<slug:name>/", queue.QueuePickView.as_view(), name="queue_pick"),
    path("new/", calls.LogCallView.as_view(), name="create"),
    path("callers/", calls.CallerSearchView.as_view(), name="caller_search"),
    path("preview/", calls.CallPreviewView.as_view(), name="call_preview"),
    path("callers/<int:pk>/", calls.CallerCardView.as_view(), name="caller_card"),
    path("instances/<int:pk>/items/", calls.InstanceItemsView.as_view(), name="instance_items"),
    path("bulk/", bulk.BulkActionView.as_view(), name="bulk"),
    path("saved-views/", saved_views.SavedViewsPage.as_view(), name="saved_views"),
    path("saved-views/new/", saved_views.SavedViewCreateView.as_view(), name="saved_view_create"),
    path("saved-views/<int:pk>/", saved_views.SavedViewEditView.as_view(), name="saved_view_edit"),
    path("saved-views/<int:pk>/delete/", saved_views.SavedViewDeleteView.as_view(), name="saved_view_delete"),
    path("<str:number>/", ticket.TicketDetailView.as_view(), name="detail"),
    path("<str:number>/edit/", ticket.TicketEditView.as_view(), name="edit"),
    path("<str:number>/assign/", ticket.AssignView.as_view(), name="assign"),
    path("<str:number>/transition/", ticket.TransitionView.as_view(), name="transition"),
    path("<str:number>/notes/", ticket.NoteView.as_view(), name="note"),
    path("<str:number>/call-note/", calls.CallNoteView.as_view(), name="call_note"),
]
