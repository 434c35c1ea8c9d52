"""The street register of each administration: its streets (lines with names) and its numbered
addresses (points), imported from the national register (ANNCSU), an OpenStreetMap extract or any
CSV/GeoJSON of the same shape. All of it is public data: it names places, never people.

Geography without GIS libraries (DESIGN.md §3): a street's line is GeoJSON in a JSON column with
its bounding box in four indexed columns; an address is a latitude and a longitude with a grid
cell for nearby search; shapely does the geometry in Python.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from insieme.core.models import Administration
from insieme.places.text import format_house_number

# Reverse lookup: a point's nearest address is searched in its ~100 m cell and the eight around.
GRID_METRES = 100.0


class Register(models.Model):
    """One administration's register: where it came from, what the map credits, and a version
    that every import bumps (the map's cached street tiles are keyed by it)."""

    administration = models.OneToOneField(
        Administration, on_delete=models.CASCADE, related_name="street_register"
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    attribution = models.CharField(_("attribution"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField(null=True, blank=True)
    street_count = models.PositiveIntegerField(default=0)
    address_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("street register")

    def __str__(self) -> str:
        return f"{self.administration} ({self.street_count} streets)"


class Street(models.Model):
    class Rank(models.IntegerChoices):
        MAIN = 1, _("main road")
        LOCAL = 2, _("local street")
        MINOR = 3, _("lane or path")

    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="streets"
    )
    name = models.CharField(_("name"), max_length=200)
    folded = models.CharField(max_length=200)
    # The official code (ANNCSU's PROGRESSIVO_NAZIONALE, the administration's own code); empty
    # when the source has none (OpenStreetMap): then the folded name identifies the street.
    code = models.CharField(_("official code"), max_length=64, blank=True)
    locality = models.CharField(_("locality"), max_length=120, blank=True)
    rank = models.PositiveSmallIntegerField(choices=Rank.choices, default=Rank.LOCAL)
    # GeoJSON LineString or MultiLineString, [longitude, latitude] to six decimals.
    geometry = models.JSONField(null=True, blank=True)
    # True when the line was drawn through the street's house numbers (the source had no line).
    derived = models.BooleanField(default=False)
    length_m = models.FloatField(default=0)
    min_lat = models.FloatField(null=True, blank=True)
    min_lon = models.FloatField(null=True, blank=True)
    max_lat = models.FloatField(null=True, blank=True)
    max_lon = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = _("street")
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "code"],
                condition=~Q(code=""),
                name="street_code_uniq",
            )
        ]
        indexes = [
            models.Index(fields=["administration", "folded"], name="street_name_idx"),
            models.Index(fields=["min_lat", "max_lat", "min_lon"], name="street_bbox_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class StreetWord(models.Model):
    """The word index of street names: one row per distinct folded word of a street's name
    ('via', 'giuseppe', 'garibaldi'), searched by prefix through (administration, word)."""

    administration = models.ForeignKey(Administration, on_delete=models.CASCADE, related_name="+")
    street = models.ForeignKey(Street, on_delete=models.CASCADE, related_name="words")
    word = models.CharField(max_length=60)

    class Meta:
        indexes = [
            models.Index(fields=["administration", "word"], name="street_word_idx"),
            models.Index(fields=["word"], name="street_word_any_idx"),
        ]

    def __str__(self) -> str:
        return self.word


class Address(models.Model):
    """A numbered address (an entrance with its house number) and where it is."""

    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="addresses"
    )
    street = models.ForeignKey(Street, on_delete=models.CASCADE, related_name="addresses")
    number = models.PositiveIntegerField(_("house number"))
    # "A", "B", "1", "bis": what follows the number ("12/A", "12 bis").
    exponent = models.CharField(_("exponent"), max_length=12, blank=True)
    # ANNCSU's PROGRESSIVO_ACCESSO, an OpenStreetMap node id, the administration's own code.
    code = models.CharField(_("official code"), max_length=64, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    lat = models.FloatField()
    lon = models.FloatField()
    cell_row = models.IntegerField()
    cell_col = models.IntegerField()

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "code"],
                condition=~Q(code=""),
                name="address_code_uniq",
            )
        ]
        indexes = [
            models.Index(fields=["street", "number"], name="address_number_idx"),
            models.Index(
                fields=["administration", "cell_row", "cell_col"], name="address_cell_idx"
            ),
            models.Index(fields=["cell_row", "cell_col"], name="address_cell_any_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.street.name} {self.house_number}"

    @property
    def house_number(self) -> str:
        return format_house_number(self.number, self.exponent)
