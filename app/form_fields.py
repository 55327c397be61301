"""WTForms fields the NHS components need, and the mapping of fields to component params."""

from __future__ import annotations

from datetime import date
from typing import Any

from wtforms import Field, IntegerField, SelectMultipleField, widgets
from wtforms.utils import unset_value
from wtforms.validators import StopValidation


class DateInputField(Field):
    """A date entered as day, month and year boxes (the NHS date input pattern)."""

    parts = ("day", "month", "year")

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.raw_parts: dict[str, str] = {}

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.process_errors = []
        if data is unset_value:
            data = self.default() if callable(self.default) else self.default
        self.object_data = data
        self.data = data
        self.raw_data = None
        # The NHS date input names its boxes name[day], name[month], name[year].
        keys = [f"{self.name}[{part}]" for part in self.parts]
        if formdata is not None and any(k in formdata for k in keys):
            self.raw_parts = {
                p: (formdata.get(k) or "").strip() for p, k in zip(self.parts, keys, strict=True)
            }
            self.raw_data = [self.raw_parts[p] for p in self.parts]
            self.data = self._parse()
        elif isinstance(data, date):
            self.raw_parts = {
                "day": str(data.day),
                "month": str(data.month),
                "year": str(data.year),
            }

    def _parse(self) -> date | None:
        values = self.raw_parts
        if not any(values.values()):
            return None
        missing = [p for p in self.parts if not values[p]]
        if missing:
            self.process_errors.append(f"{self.label.text} must include a {' and '.join(missing)}")
            return None
        try:
            year, month, day = (int(values[p]) for p in ("year", "month", "day"))
            if year < 1900 or year > 2200:
                raise ValueError
            return date(year, month, day)
        except ValueError:
            self.process_errors.append(f"{self.label.text} must be a real date")
            return None

    def _value(self) -> dict[str, str]:
        return self.raw_parts


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class WholeNumberField(IntegerField):
    """An integer field whose "not a number" message says what to type."""

    def __init__(self, label: str, *, not_a_number: str, **kwargs) -> None:
        super().__init__(label, **kwargs)
        self.not_a_number = not_a_number

    def process_formdata(self, valuelist: list) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self.not_a_number) from None

    def pre_validate(self, form) -> None:
        # Not a number: the range and other checks have nothing to say.
        if self.process_errors:
            raise StopValidation()


TEXT_INPUT_TYPES = {
    "StringField": "text",
    "EmailField": "email",
    "IntegerField": "text",
    "WholeNumberField": "text",
    "DecimalField": "text",
    "TelField": "tel",
    "URLField": "url",
    "SearchField": "search",
    "PasswordField": "password",
}


def nhsuk_field(field: Field, extra: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
    """Which NHS component renders `field`, with its params (`extra` overrides them)."""
    params: dict[str, Any] = {
        "id": field.id,
        "name": field.name,
        "label": {"text": field.label.text},
    }
    if field.description:
        params["hint"] = {"text": field.description}
    if field.errors:
        params["errorMessage"] = {"text": field.errors[0]}
    component, params = _component(field, params)
    if extra:
        for key, value in extra.items():
            if isinstance(value, dict) and isinstance(params.get(key), dict):
                params[key] = {**params[key], **value}
            else:
                params[key] = value
    return component, params


def _component(field: Field, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The component for the field's class, and the common params with its own added."""
    kind = type(field).__name__
    legend = {"legend": {"text": field.label.text}}
    if kind in TEXT_INPUT_TYPES:
        params["type"] = TEXT_INPUT_TYPES[kind]
        if kind != "PasswordField":
            params["value"] = field._value()
        if kind in ("IntegerField", "WholeNumberField", "DecimalField"):
            params["inputmode"] = "decimal" if kind == "DecimalField" else "numeric"
        return "input", params
    if kind == "TextAreaField":
        params["value"] = field._value()
        return "textarea", params
    if kind == "SelectField":
        params["items"] = [
            {"value": value, "text": label, "selected": selected}
            for value, label, selected, *_ in field.iter_choices()
        ]
        return "select", params
    if kind in ("RadioField", "MultiCheckboxField", "SelectMultipleField"):
        params = {**params, "idPrefix": field.id, "fieldset": legend}
        params.pop("id")  # the first item takes the id; the wrapper must not repeat it
        params["items"] = [
            {"value": value, "text": label, "checked": checked}
            for value, label, checked, *_ in field.iter_choices()
        ]
        return ("radios" if kind == "RadioField" else "checkboxes"), params
    if kind == "BooleanField":
        params = {**params, "idPrefix": field.id}
        params.pop("id")
        params["items"] = [{"value": "y", "text": field.label.text, "checked": bool(field.data)}]
        params.pop("label")
        return "checkboxes", params
    if kind == "DateInputField":
        return "date", _date_params(field, {**params, "namePrefix": field.name, "fieldset": legend})
    if kind in ("FileField", "MultipleFileField"):
        return "file", params
    raise TypeError(f"no NHS component mapped for {kind}")


def _date_params(field: Field, params: dict[str, Any]) -> dict[str, Any]:
    """Day, month and year inputs, each marked in error with the field."""
    raw = field._value()
    error_class = " nhsuk-input--error" if field.errors else ""
    params["items"] = [
        {
            "name": "day",
            "classes": "nhsuk-input--width-2" + error_class,
            "value": raw.get("day", ""),
            "label": "Day",
        },
        {
            "name": "month",
            "classes": "nhsuk-input--width-2" + error_class,
            "value": raw.get("month", ""),
            "label": "Month",
        },
        {
            "name": "year",
            "classes": "nhsuk-input--width-4" + error_class,
            "value": raw.get("year", ""),
            "label": "Year",
        },
    ]
    return params


def error_anchor(field: Field) -> str:
    """The id the error summary links to: the first input the field renders."""
    if type(field).__name__ == "DateInputField":
        return f"{field.id}-day"
    return field.id
