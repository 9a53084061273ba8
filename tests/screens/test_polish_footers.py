"""Pilot: at 120 columns no footer runs into the command palette's ``^p`` marker: a key and
its text are whole (less important keys stay out of the footer, on f1 and in the palette)."""

from __future__ import annotations

from screen_helpers import make_app, open_today_item, press, settle


def footer_overlaps(app) -> list[str]:  # noqa: ANN001
    """The footer keys (text) that reach into the palette's marker or off the screen."""
    from textual.widgets._footer import FooterKey

    keys = list(app.screen.query(FooterKey))
    palette = [k for k in keys if k.has_class("-command-palette")]
    limit = palette[0].region.x if palette else app.size.width
    return [f"{k.key_display} {k.description}" for k in keys
            if not k.has_class("-command-palette") and k.region.width
            and k.region.right > limit]


async def test_footers_fit_at_120(demo_db) -> None:  # noqa: ANN001
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        seen = {}
        await settle(pilot)
        seen["meetings"] = footer_overlaps(app)
        await press(pilot, "ctrl+e")
        seen["escalations"] = footer_overlaps(app)
        await press(pilot, "escape", "ctrl+r")
        seen["register"] = footer_overlaps(app)
        await press(pilot, "escape")
        await open_today_item(pilot, 4)
        seen["item"] = footer_overlaps(app)
        await press(pilot, "escape")
        seen["meeting"] = footer_overlaps(app)
        await press(pilot, "v")
        seen["minutes"] = footer_overlaps(app)
        await press(pilot, "escape", "l")
        seen["actions"] = footer_overlaps(app)
        assert {k: v for k, v in seen.items() if v} == {}, "\n".join(f"{k}: {' | '.join(v)}" for k, v in seen.items() if v)
