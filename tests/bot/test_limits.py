"""The per-user question limit: a sliding one-minute window."""

from bot.limits import QuestionLimiter


def test_limit_per_user_in_a_sliding_minute():
    now = [0.0]
    limiter = QuestionLimiter(3, clock=lambda: now[0])
    assert [limiter.check(1) for _ in range(3)] == [0, 0, 0]
    assert limiter.check(1) == 60
    assert limiter.check(2) == 0  # others are not affected
    now[0] = 30.0
    assert limiter.check(1) == 30
    now[0] = 60.0
    assert limiter.check(1) == 0


def test_zero_means_no_limit():
    limiter = QuestionLimiter(0)
    assert all(limiter.check(1) == 0 for _ in range(100))
