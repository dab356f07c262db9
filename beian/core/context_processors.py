from django.apps import apps


def site(request):
    Institution = apps.get_model("orgs", "Institution")
    institution = Institution.objects.order_by("pk").first()
    return {"institution": institution}
