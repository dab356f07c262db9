from django.urls import path

from . import views

app_name = "inspections"
urlpatterns = [
    path("", views.inspection_list, name="inspection_list"),
    path("new/", views.inspection_open, name="inspection_open"),
    path("<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("<int:pk>/edit/", views.inspection_edit, name="inspection_edit"),
    path("<int:pk>/publish/", views.inspection_publish, name="inspection_publish"),
    path("<int:pk>/close/", views.inspection_close, name="inspection_close"),
    path("<int:pk>/grading/", views.grading, name="grading"),
    path("<int:pk>/grading/bulk/", views.grade_bulk, name="grade_bulk"),
    path("<int:pk>/results/", views.results, name="inspection_results"),
    path("<int:pk>/results.<str:fmt>", views.results_file, name="inspection_results_file"),
    path("parts/<int:pk>/", views.part_detail, name="part_detail"),
    path("parts/<int:pk>/submit/", views.part_submit, name="part_submit"),
    path("parts/<int:pk>/return/", views.part_return, name="part_return"),
    path("forms/<int:pk>/", views.form_detail, name="form_detail"),
    path("forms/<int:pk>/fill/", views.form_fill, name="form_fill"),
    path("forms/<int:pk>/grade/", views.form_grade, name="form_grade"),
    path("forms/<int:pk>/rectify/", views.form_rectify, name="form_rectify"),
    path("handover/", views.handover_list, name="handover_list"),
    path("handover/<int:pk>/", views.handover_detail, name="handover_detail"),
    path("handover/<int:pk>/hand-over/", views.handover_hand_over, name="handover_hand_over"),
    path("handover/<int:pk>/close/", views.handover_close, name="handover_close"),
]
