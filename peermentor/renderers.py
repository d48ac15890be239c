"""The form renderer: widgets through Jinja2, with Django's engine for templates only it has."""

from django.forms import renderers
from django.template import TemplateDoesNotExist


class WidgetRenderer(renderers.Jinja2):
    """Django ships its form and widget templates for both engines; Jinja2 compiles them to
    Python and renders a page's tens of widgets in about a third of the time. The admin's own
    widgets exist only as Django templates, so a name Jinja2 doesn't know is looked up there.
    Pages stay Django templates."""

    fallback = renderers.DjangoTemplates()

    def get_template(self, template_name):
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return self.fallback.get_template(template_name)
