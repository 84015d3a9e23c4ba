"""`delaynote import`: task exports of project tools (Jira, Linear, GitHub Projects, Worktile, PingCode,
or any CSV with a column map) merged into a facts file's `phases`, `completed` and `pending`.

One module per source format (`jira`, `linear`, `github`, `worktile`, `pingcode`, `generic`), `detect`
to tell them apart, `statuses` and `taskdates` for the values, `grouping` to make phases, `merge` for the
round-trip edit of the facts file and `command` for the whole run.
"""
