"""Containers that grow while a reply streams, redrawing only the rows of their own that changed."""

from __future__ import annotations

from textual.css.styles import RenderStyles
from textual.geometry import Region, Size

from tui_app.textual_compat.sizes import SizeUpdates, forget_rows_above, keep_size, redraw_rows


class GrowingFrame(SizeUpdates):
    """Mixed in before a Textual container that draws only its frame (background, padding, border)
    under its children. A plain class: Textual's style sheets follow only the first widget class among a
    class's bases, which must stay the container's.

    At every layout Textual gives each widget its size and its virtual size (what it holds), and a
    widget whose size or virtual size changed is drawn again whole and laid out again. While a reply
    streams, the turn holding it grows by a row or two a frame, and the transcript holding the turns
    holds more: drawn whole, each is a full screen of lines at every frame, and each asks for a second
    layout. But a container's frame does not depend on what it holds, and when it only grows taller,
    its rows above the old bottom edge are the same as before. So:
    - its size unchanged, nothing of its own is drawn again (it is laid out again if it holds more, as
      Textual does: what scrolls in it may need placing again);
    - grown taller only, the rows from its old bottom edge down are drawn, and it is not laid out again:
      it has just been, at this size (its children, which did change, ask for what they need themselves);
    - any other change of size draws it all, as Textual does.
    """

    outer_size: Size
    virtual_size: Size
    styles: RenderStyles

    def sizes_laid_out(self, size: Size, virtual_size: Size, container_size: Size, layout: bool) -> bool:
        old = self.outer_size
        if size == old:
            held = self.virtual_size
            resized = self.textual_sizes_laid_out(size, virtual_size, container_size, layout=False)
            if layout and virtual_size != held and not _only_longer(held, virtual_size, size):
                # What scrolls in it may need placing again.
                self.refresh(layout=True, repaint=False)  # type: ignore[attr-defined]
            return resized
        if not (old.width == size.width and 0 < old.height < size.height):
            return self.textual_sizes_laid_out(size, virtual_size, container_size, layout)
        # So that Textual does not count every row as changed:
        keep_size(self, size)  # type: ignore[arg-type]
        self.textual_sizes_laid_out(size, virtual_size, container_size, layout=False)
        gutter = self.styles.gutter
        first = old.height - gutter.bottom
        """The first row of the old bottom edge (border and padding), in the widget's rows."""
        # Regions of the content: the frame's own rows and columns lie outside it.
        new_rows = Region(-gutter.left, first - gutter.top, size.width, size.height - first)
        redraw_rows(self, new_rows)  # type: ignore[arg-type]
        self._forget_rows_above(first - self.app.size.height)  # type: ignore[attr-defined]
        return True

    def _forget_rows_above(self, row: int) -> None:
        """Textual keeps every row it has drawn until the widget's size changes, which used to be at every
        frame: a long reply kept growing, it would keep thousands (a strip each, with its caches). Rows
        more than a screen above the bottom edge are dropped, to be drawn again if scrolled back to."""
        if row > 0:
            forget_rows_above(self, row)  # type: ignore[arg-type]


def _only_longer(held: Size, holds: Size, size: Size) -> bool:
    """It holds more below what it held, and needed scrolling before as it does now: the layout that told it
    so has placed its children already, and its scroll bar neither comes nor goes."""
    return holds.width == held.width and holds.height > held.height > size.height

