from django.db import migrations


def seed(apps, schema_editor):
    from beian.registry.platforms import PLATFORMS

    Platform = apps.get_model("registry", "Platform")
    for order, row in enumerate(PLATFORMS, start=1):
        code, name, category, for_groups, word, hint, pattern, aliases = row
        Platform.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "category": category,
                "for_groups": for_groups,
                "audience_word": word,
                "address_hint": hint,
                "address_pattern": pattern,
                "aliases": aliases,
                "sort_order": order * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
