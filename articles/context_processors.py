from articles.models import Section


def navigation(request):
    """Every page's navigation lists all sections; evaluated only where a template uses it."""
    return {"navigation_sections": Section.objects.all}
