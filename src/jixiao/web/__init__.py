"""The web application (Django): units fill in, score and store their forms; the API; the import and export pages.

Views are thin: they validate input and call jixiao.web.forms (the stored form) or jixiao.web.review (the
review side on top of it), which call jixiao.services, jixiao.core and jixiao.reports.
"""
