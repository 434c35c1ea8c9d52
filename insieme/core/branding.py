"""An administration's brand on its public pages: its name, its logo and its colours.

The colours are held to the design system's contrast rules. Bootstrap Italia puts white text on the
primary colour (header, navigation, buttons) and on the secondary one (top bar, footer), and uses
the primary colour for links on white, so each must reach WCAG 2.1 AA for normal text (4.5:1)
against white. A colour that does not is darkened, keeping its hue, until it does; the settings
screen says so. The brand reaches the page as a small stylesheet served by the application
(`/branding/<slug>.css`, cached, versioned by its content): the Content-Security-Policy allows no
inline styles.

A logo is an uploaded PNG, JPEG or WebP (SVG can carry scripts and is refused). Its size is read
from the header before it is decoded; it is then re-encoded as a PNG of at most LOGO_BOX pixels,
without metadata, and served by the application (`/branding/<slug>/logo.png`).
"""

from __future__ import annotations

import colorsys
import hashlib
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

WHITE = "#ffffff"
AA_NORMAL_TEXT = 4.5
LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_PIXELS = 16_000_000  # read from the header; refused before decoding
LOGO_BOX = (320, 320)
LOGO_FORMATS = {"PNG", "JPEG", "WEBP"}


# --- colours -------------------------------------------------------------------------------------


def rgb(hex_colour: str) -> tuple[int, int, int]:
    value = hex_colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def to_hex(red: float, green: float, blue: float) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in (red, green, blue))


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2.1's relative luminance of an sRGB colour."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb(hex_colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2.1 contrast ratio, from 1 to 21."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def darken(hex_colour: str, factor: float) -> str:
    """The same hue with its lightness multiplied by `factor` (0 to 1)."""
    h, lightness, s = colorsys.rgb_to_hls(*(c / 255 for c in rgb(hex_colour)))
    r, g, b = colorsys.hls_to_rgb(h, lightness * factor, s)
    return to_hex(r * 255, g * 255, b * 255)


def with_contrast(hex_colour: str, against: str = WHITE, minimum: float = AA_NORMAL_TEXT) -> str:
    """`hex_colour` if it reaches `minimum` against `against`, else the lightest darker shade of
    the same hue that does (black at worst, 21:1 against white)."""
    colour = hex_colour.lower()
    if contrast(colour, against) >= minimum:
        return colour
    low, high = 0.0, 1.0  # lightness factors: low always passes, high does not
    for _step in range(30):
        middle = (low + high) / 2
        if contrast(darken(colour, middle), against) >= minimum:
            low = middle
        else:
            high = middle
    return darken(colour, low)


@dataclass(frozen=True)
class Colour:
    chosen: str
    applied: str

    @property
    def adjusted(self) -> bool:
        return self.chosen.lower() != self.applied

    @property
    def ratio(self) -> float:
        return round(contrast(self.applied, WHITE), 2)

    @classmethod
    def of(cls, chosen: str) -> Colour:
        return cls(chosen=chosen, applied=with_contrast(chosen))


# --- the brand -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Brand:
    slug: str
    name: str
    primary: Colour
    secondary: Colour
    logo_version: str  # "" without a logo

    @property
    def version(self) -> str:
        key = f"{self.primary.applied}{self.secondary.applied}{self.logo_version}"
        return hashlib.sha256(key.encode()).hexdigest()[:12]

    @property
    def css_url(self) -> str:
        return f"{reverse('branding_css', args=[self.slug])}?v={self.version}"

    @property
    def logo_url(self) -> str:
        if not self.logo_version:
            return ""
        return f"{reverse('branding_logo', args=[self.slug])}?v={self.logo_version}"

    @property
    def colour_rows(self) -> list[tuple[str, Colour]]:
        return [(_("Primary colour"), self.primary), (_("Secondary colour"), self.secondary)]

    @property
    def home_url(self) -> str:
        return f"{reverse('catalogue')}?administration={self.slug}"


def logo_version(admin) -> str:
    """The content hash in the stored logo's name (see `logo_name`), "" without a logo."""
    name = admin.logo.name if admin.logo else ""
    return name.rsplit("-", 1)[-1].removesuffix(".png") if name else ""


def brand_of(admin) -> Brand:
    return Brand(
        slug=admin.slug,
        name=admin.display_name,
        primary=Colour.of(admin.primary_colour),
        secondary=Colour.of(admin.secondary_colour),
        logo_version=logo_version(admin),
    )


def stylesheet(brand: Brand) -> str:
    """The brand as CSS on top of Bootstrap Italia: its variables, and the header, navigation,
    footer and buttons that the design system colours with fixed values."""
    primary, secondary = brand.primary.applied, brand.secondary.applied
    hover = darken(primary, 0.85)
    active = darken(primary, 0.75)
    pr, pg, pb = rgb(primary)
    hr, hg, hb = rgb(hover)
    return f"""/* Brand of {brand.slug}: colours checked for 4.5:1 contrast with white text. */
:root {{
  --insieme-brand-primary: {primary};
  --insieme-brand-secondary: {secondary};
  --bs-primary: {primary};
  --bs-primary-rgb: {pr}, {pg}, {pb};
  --bs-link-color: {primary};
  --bs-link-color-rgb: {pr}, {pg}, {pb};
  --bs-link-hover-color: {hover};
  --bs-link-hover-color-rgb: {hr}, {hg}, {hb};
}}
.it-header-slim-wrapper, .it-footer-main {{ background: {secondary}; }}
.it-header-center-wrapper, .it-header-navbar-wrapper, .it-header-navbar-wrapper .navbar,
.navbar .navbar-collapsable .menu-wrapper {{ background: {primary}; }}
.btn-primary {{
  --bs-btn-bg: {primary}; --bs-btn-border-color: {primary};
  --bs-btn-hover-bg: {hover}; --bs-btn-hover-border-color: {hover};
  --bs-btn-active-bg: {active}; --bs-btn-active-border-color: {active};
  --bs-btn-disabled-bg: {primary}; --bs-btn-disabled-border-color: {primary};
}}
.btn-outline-primary {{
  --bs-btn-color: {primary}; --bs-btn-border-color: {primary};
  --bs-btn-hover-bg: {primary}; --bs-btn-hover-border-color: {primary};
  --bs-btn-active-bg: {active}; --bs-btn-active-border-color: {active};
}}
.it-brand-wrapper .brand-logo {{ width: auto; height: 64px; max-width: 96px; margin-right: 1rem;
  object-fit: contain; background: #fff; border-radius: 4px; padding: 4px; }}
"""


# --- the logo ------------------------------------------------------------------------------------


def clean_logo(upload) -> bytes:
    """The uploaded logo as PNG bytes without metadata, at most LOGO_BOX; ValidationError with a
    message for the person otherwise."""
    if upload.size is not None and upload.size > LOGO_MAX_BYTES:
        raise ValidationError(
            _("The logo is too large: at most %(mb)s MB."), params={"mb": LOGO_MAX_BYTES // 2**20}
        )
    data = upload.read(LOGO_MAX_BYTES + 1)
    if len(data) > LOGO_MAX_BYTES:
        raise ValidationError(
            _("The logo is too large: at most %(mb)s MB."), params={"mb": LOGO_MAX_BYTES // 2**20}
        )
    refused = ValidationError(_("Upload the logo as a PNG, JPEG or WebP image."))
    too_big = ValidationError(_("The logo has too many pixels; use a smaller image."))
    try:
        with Image.open(io.BytesIO(data)) as probe:  # reads the header only
            if probe.format not in LOGO_FORMATS:
                raise refused
            width, height = probe.size
            if width * height > LOGO_MAX_PIXELS:
                raise too_big
            probe.draft("RGB", LOGO_BOX)  # JPEG: decode at a reduced scale
            image = probe.convert("RGBA")
    except Image.DecompressionBombError as exc:  # Pillow's own, far larger, limit
        raise too_big from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise refused from exc
    image.thumbnail(LOGO_BOX)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)  # a new file: no EXIF, text chunks or profile
    return out.getvalue()


def logo_name(admin, png: bytes) -> str:
    return f"branding/{admin.slug}-{hashlib.sha256(png).hexdigest()[:12]}.png"
