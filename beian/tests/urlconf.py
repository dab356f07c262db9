"""Walks the URLconf: every named route, with its namespace, for the permission matrix."""

from django.urls import URLPattern, URLResolver, get_resolver

#: Namespaces that are not Beian's own pages (Django's admin guards itself: staff only).
FOREIGN_NAMESPACES = {"admin"}


def named_routes() -> set[str]:
    names: set[str] = set()

    def walk(patterns, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = namespace
                if p.namespace:
                    ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
                if p.namespace in FOREIGN_NAMESPACES:
                    continue
                walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern):
                if p.name is None:
                    raise AssertionError(f"unnamed route {p.pattern}: every route needs a name")
                names.add(f"{namespace}:{p.name}" if namespace else p.name)

    walk(get_resolver().url_patterns, "")
    return names
