"""When a streaming reply is drawn: every tick at a model's pace, every half second in a burst."""

from tui_app.frame_pacing import FramePacer, Interval


def test_every_tick_is_drawn_at_a_models_pace():
    pacer = FramePacer(burst_events=100, burst_seconds=0.5)
    ticks = [(events, tick / 15) for tick, events in enumerate(range(0, 400, 17))]
    assert all(pacer.due(events, now) for events, now in ticks)


def test_a_burst_is_drawn_every_half_second():
    pacer = FramePacer(burst_events=100, burst_seconds=0.5)
    drawn = [tick for tick in range(30) if pacer.due(tick * 1000, tick / 15)]
    assert drawn == [0, 8, 16, 24]  # 0 s, 0.53 s, 1.07 s, 1.6 s


def test_the_first_frame_is_never_held_back():
    assert FramePacer().due(5000, 0.01)


def test_an_interval_is_due_at_most_once_in_its_seconds():
    every = Interval(0.1)
    drawn = [tick for tick in range(12) if every.due(tick * 0.06)]
    assert drawn == [0, 2, 4, 6, 8, 10]


def test_an_interval_is_due_at_once_the_first_time():
    assert Interval(10.0).due(123.0)
