"""The life of a stored form, bottom layer of the web app: who sees what (access), the list's filters
(filters), what is kept between requests (kept), evaluating a record (evaluation), saving with its lock,
versions and diff (store, history), importing (imports) and exporting (exports).

Nothing here imports the review side (jixiao.web.review's workflow, rounds, re-check, overview,
publication); they import this. The stored rows are jixiao.web.models and jixiao.web.review.models.
"""
