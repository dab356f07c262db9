from django.urls import path

from . import views

app_name = "transfer"
urlpatterns = [
    path("import/", views.import_start, name="import_start"),
    path("import/<str:token>/", views.import_preview, name="import_preview"),
    path("import/<str:token>/commit/", views.import_commit, name="import_commit"),
    path("import/<str:token>/cancel/", views.import_cancel, name="import_cancel"),
    path("import/<str:token>/teach/", views.import_teach, name="import_teach"),
    path("import/<str:token>/errors.xlsx", views.import_errors, name="import_errors"),
    path("import/done/<int:pk>/", views.import_done, name="import_done"),
    path("templates/<str:key>.xlsx", views.template_download, name="template"),
    path("export/accounts/", views.export_accounts, name="export_accounts"),
    path("export/groups/", views.export_groups, name="export_groups"),
    path("export/units/", views.export_units, name="export_units"),
    path("export/people/", views.export_people, name="export_people"),
    path("accounts/<int:pk>/form.docx", views.account_form_docx, name="account_form_docx"),
    path("accounts/forms.zip", views.account_forms_zip, name="account_forms_zip"),
]
