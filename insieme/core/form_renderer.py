"""The form renderer (settings.FORM_RENDERER): Django's, with its commonest widget templates
written out in Python.

Django renders every widget through the template engine: a select of sixty services is sixty
includes of `select_option.html`, each including `attrs.html`, and every empty error list is one
more template. On the staff queue that was most of the page's time. The functions here give the
same bytes as Django's own templates (tests/core/test_form_renderer.py compares them over
generated widgets); any other template, or one a project or app overrides, goes to the engine.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import SafeData

_WIDGETS = "django/forms/widgets/"
_CONTEXT = Context(autoescape=True)


def _text(value) -> str:
    """`{{ value }}`: localised, escaped unless already safe."""
    return render_value_in_context(value, _CONTEXT)


def _formatted(value) -> str:
    """`{{ value|stringformat:'s' }}`: no localisation; escaped unless the value was safe."""
    text = str(value)
    return text if isinstance(value, SafeData) else escape(text)


def _attrs(attrs: dict) -> str:
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(" " + _text(name))
        if value is not True:
            out.append(f'="{_formatted(value)}"')
    return "".join(out)


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{_formatted(widget["value"])}"'
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"'
        f"{value}{_attrs(widget['attrs'])}>\n"
    )


def _select_option(option: dict) -> str:
    return (
        f'<option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
        f"{_text(option['label'])}</option>\n"
    )


def _input_option(option: dict) -> str:
    wrap = option["wrap_label"]
    out = []
    if wrap:
        label_for = option["attrs"].get("id")
        out.append(f'<label for="{_text(label_for)}">' if label_for else "<label>")
    out.append(_input(option))
    if wrap:
        out.append(f" {_text(option['label'])}</label>")
    out.append("\n")
    return "".join(out)


_OPTIONS = {
    _WIDGETS + "select_option.html": _select_option,
    _WIDGETS + "checkbox_option.html": lambda option: _input_option(option) + "\n",
    _WIDGETS + "radio_option.html": lambda option: _input_option(option) + "\n",
}


def _options(group_choices) -> list[str] | None:
    out = []
    for option in group_choices:
        render = _OPTIONS.get(option["template_name"])
        if render is None:
            return None
        out.append(render(option))
    return out


def _select(widget: dict) -> str | None:
    out = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_text(group_name)}">')
        options = _options(group_choices)
        if options is None:
            return None
        out.extend("\n  " + option for option in options)
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>\n")
    return "".join(out)


def _multiple_input(widget: dict) -> str | None:
    element_id = widget["attrs"].get("id")
    css = widget["attrs"].get("class")
    out = ["<div"]
    if element_id:
        out.append(f' id="{_text(element_id)}"')
    if css:
        out.append(f' class="{_text(css)}"')
    out.append(">")
    for group, options, _index in widget["optgroups"]:
        if group:
            out.append(f"\n  <div><label>{_text(group)}</label>")
        rendered = _options(options)
        if rendered is None:
            return None
        out.extend(f"<div>\n    {option}</div>" for option in rendered)
        if group:
            out.append("\n  </div>")
    out.append("\n</div>\n")
    return "".join(out)


def _textarea(widget: dict) -> str:
    value = widget["value"]
    return (
        f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{_text(value) if value else ''}</textarea>\n"
    )


# Templates that include input.html and nothing else.
_INPUTS = [
    "checkbox",
    "color",
    "date",
    "datetime",
    "email",
    "file",
    "hidden",
    "number",
    "password",
    "search",
    "tel",
    "text",
    "time",
    "url",
]

# What the renderer gives is stripped (as Django strips what its templates give).
_RENDER = {
    **{_WIDGETS + f"{name}.html": _input for name in ("input", *_INPUTS)},
    _WIDGETS + "select.html": _select,
    _WIDGETS + "textarea.html": _textarea,
    **{_WIDGETS + f"{name}.html": _multiple_input for name in ("checkbox_select", "radio")},
    _WIDGETS + "multiple_input.html": _multiple_input,
}


def _error_list(context: dict) -> str:
    errors = context["errors"]
    if not errors:
        return ""
    field_id = getattr(errors, "field_id", None)
    element_id = f' id="{_text(field_id)}_error"' if field_id else ""
    items = "".join(f"<li>{_text(error)}</li>" for error in errors)
    return f'<ul class="{_text(context["error_class"])}"{element_id}>{items}</ul>'


_ERRORS = ("django/forms/errors/list/default.html", "django/forms/errors/list/ul.html")


# Every template the functions above stand for, includes too: an override of any one of them
# (a project's own attrs.html, say) sends all widgets back to the engine.
_WRITTEN_OUT = (
    *_RENDER,
    *_OPTIONS,
    _WIDGETS + "input_option.html",
    _WIDGETS + "attrs.html",
    *_ERRORS,
)


class FastWidgetRenderer(DjangoTemplates):
    """DjangoTemplates, but the standard widget and error-list templates are written out in
    Python (unless some template directory overrides any of them)."""

    @cached_property
    def _written_out(self) -> bool:
        """Whether every template written out here is Django's own, not an override."""
        return all(
            "/django/forms/templates/" in self.get_template(name).origin.name.replace("\\", "/")
            for name in _WRITTEN_OUT
        )

    def render(self, template_name, context, request=None):
        if template_name in _RENDER and "widget" in context and self._written_out:
            html = _RENDER[template_name](context["widget"])
            if html is not None:
                return html.strip()
        elif template_name in _ERRORS and self._written_out:
            return _error_list(context).strip()
        return super().render(template_name, context, request)
