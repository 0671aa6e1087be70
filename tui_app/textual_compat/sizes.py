"""What a widget does when Textual's layout gives it its sizes, and which of its drawn rows Textual keeps.

Textual has no public hook that sees a widget's new size before it acts on it: it redraws the widget
whole, and lays it out again, when its size or the size of what it holds changed. Widgets that know
better (a frame that only grew taller, a scroll view whose lines did not change) decide here.
"""

from __future__ import annotations

from textual.geometry import Region, Size
from textual.widget import Widget


class SizeUpdates:
    """Mixed in before a Textual widget class: `sizes_laid_out` sees the sizes the layout gives the widget,
    and `textual_sizes_laid_out` is what Textual does with them.

    Relies on the private `Widget._size_updated(size, virtual_size, container_size, layout=True) -> bool`,
    which the layout calls on every widget it places (its size, the size of what it holds, its
    container's size) and which returns whether to send the widget a `Resize`. Why: it is where Textual
    decides that a widget is drawn again whole and laid out again.
    """

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
        return self.sizes_laid_out(size, virtual_size, container_size, layout)

    def sizes_laid_out(self, size: Size, virtual_size: Size, container_size: Size, layout: bool) -> bool:
        """Take the sizes the layout gives the widget; True to send it a `Resize`. Override it."""
        return self.textual_sizes_laid_out(size, virtual_size, container_size, layout)

    def textual_sizes_laid_out(self, size: Size, virtual_size: Size, container_size: Size, layout: bool) -> bool:
        """What Textual does with the sizes: a widget whose size changed is drawn again whole; with
        `layout`, one that holds more is laid out again."""
        return super()._size_updated(size, virtual_size, container_size, layout)  # type: ignore[misc]


class LaidOutOnce(SizeUpdates):
    """For a widget that does not scroll: Textual lays out the whole screen again whenever what a widget
    holds changes size (its virtual size), but the layout that found the change has already placed and
    sized such a widget. While a reply streams, each growing block asked for a second layout at every
    frame."""

    def sizes_laid_out(self, size: Size, virtual_size: Size, container_size: Size, layout: bool) -> bool:
        return self.textual_sizes_laid_out(size, virtual_size, container_size, layout=False)


def keep_size(widget: Widget, size: Size) -> None:
    """Record `size` as the widget's size (its `outer_size`), so that Textual's own handling of the
    same size finds nothing changed and redraws nothing.

    Relies on the private `Widget._size`, which `outer_size` reports and `_size_updated` compares with.
    Why: a frame that grew taller draws only its new rows itself.
    """
    widget._size = size


def redraw_rows(widget: Widget, region: Region) -> None:
    """Draw `region` of the widget again at the next frame, and nothing else of it. The region is in the
    widget's content coordinates: its border and padding lie at negative offsets.

    Relies on the private `Widget._set_dirty(*regions)`. Why: `refresh(region)` also clears the widget's
    cached sizes and styles and asks for a repaint, which draws the widget whole.
    """
    widget._set_dirty(region)


def forget_rows_above(widget: Widget, row: int) -> None:
    """Drop the rows above `row` that Textual keeps of the widget as drawn (they are drawn again if they
    are needed).

    Relies on the private `Widget._styles_cache._cache`, a dict of the widget's drawn rows (strips) by
    row number. Why: Textual keeps every row drawn until the widget's size changes, and a long reply
    that keeps growing without its size changing would keep thousands.
    """
    drawn = widget._styles_cache._cache
    for y in [y for y in drawn if y < row]:
        del drawn[y]
