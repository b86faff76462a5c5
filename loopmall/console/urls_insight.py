from django.urls import path

from loopmall.console.views import insight as views

urlpatterns = [
    path("", views.overview, name="insight_overview"),
    path("report/build/", views.report_build, name="insight_report_build"),
    path("pipeline/run/", views.pipeline_run, name="insight_pipeline_run"),
    path("reports/<str:week>.<str:fmt>", views.report_export, name="insight_report_export"),
    path("feedback/", views.feedback_list, name="insight_feedback"),
    path("feedback/<int:feedback_id>/correct/", views.feedback_correct, name="insight_feedback_correct"),
    path("queue/", views.queue, name="insight_queue"),
    path("queue/retrain/", views.retrain, name="insight_retrain"),
    path("taxonomy/", views.taxonomy, name="insight_taxonomy"),
    path("taxonomy/save/", views.demand_save, name="insight_demand_save"),
    path("taxonomy/merge/", views.demand_merge, name="insight_demand_merge"),
    path("taxonomy/words/", views.words_add, name="insight_words_add"),
    path("emerging/", views.emerging_list, name="insight_emerging"),
    path("emerging/run/", views.emerging_run, name="insight_emerging_run"),
    path("emerging/<int:cluster_id>/promote/", views.emerging_promote, name="insight_emerging_promote"),
    path("emerging/<int:cluster_id>/dismiss/", views.emerging_dismiss, name="insight_emerging_dismiss"),
    path("latent/", views.latent_list, name="insight_latent"),
    path("latent/run/", views.latent_run, name="insight_latent_run"),
    path("board/", views.board_view, name="insight_board"),
    path("board/create/", views.board_create, name="insight_board_create"),
    path("board/<int:adaptation_id>/move/", views.board_move, name="insight_board_move"),
]
