"""Follow-through after the first notice: progress updates, the record of what the client was
told (history), the update-only checks and the update calendar.

The first notice starts a promise ("next update on Monday, then every week"); these modules keep
it: `progress` reads what happened since, `history` remembers what was sent, `drafting` writes the
update, `checks` catches a quietly moved date or a missed update, `schedule` puts the dates in a calendar.
"""
