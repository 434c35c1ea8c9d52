"""Screenshot of the demo's filing map with its streets, for the README.

With the demo served (`make demo`, or `insieme serve` after `insieme demo`), run

    .venv/bin/python scripts/screenshot_filing_map.py [--base-url URL] [--out PATH]

It opens a demo service's filing form in headless Chromium (Debian's /usr/bin/chromium, driven by
Playwright; nothing is downloaded), types an address into the address field, chooses the first
suggestion of the street register with the keyboard, waits for the street names, and saves the
"Where is it?" part of the form as a PNG with a 256-colour palette (small enough for the repo).
"""

from __future__ import annotations

import argparse
import io
import os
import sys

CHROMIUM = os.environ.get("INSIEME_CHROMIUM", "/usr/bin/chromium")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--path", default="/services/lago-verde/buche-stradali/file/")
    parser.add_argument("--address", default="Via Roma 12")
    parser.add_argument("--language", default="it", choices=["it", "en"])
    parser.add_argument("--width", type=int, default=1000)
    parser.add_argument("--zoom", type=int, default=16, help="Map zoom of the picture.")
    parser.add_argument("--out", default="docs/img/filing-map.png")
    args = parser.parse_args()

    from PIL import Image
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox"], headless=True
        )
        page = browser.new_context(
            locale="it-IT" if args.language == "it" else "en-GB",
            viewport={"width": args.width, "height": 1200},
        ).new_page()
        page.goto(args.base_url.rstrip("/") + args.path)
        page.locator("#map-picker").wait_for(state="visible")
        field = page.locator("#id_address")
        field.fill(args.address)
        expect(page.get_by_role("listbox").get_by_role("option").first).to_be_visible()
        field.press("ArrowDown")
        field.press("Enter")
        map_el = page.locator("#map-picker")
        map_el.focus()
        for _ in range(18 - args.zoom):
            page.keyboard.press("-")  # out from the chosen address's zoom (18)
            page.wait_for_timeout(700)  # one zoom animation at a time
        page.wait_for_timeout(1500)
        expect(page.locator("text.street-label").first).to_be_visible()
        page.evaluate("document.activeElement.blur()")
        shot = page.locator("#location").screenshot()
        browser.close()
    image = Image.open(io.BytesIO(shot)).convert("RGB")
    image = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    image.save(args.out, optimize=True)
    print(f"{args.out}: {image.width}x{image.height}, {os.path.getsize(args.out) // 1024} kB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
