"""The web application (Django): units fill in, score and store their forms; the API; the import and export pages.

Views are thin: they validate input and call jixiao.web.services, which calls jixiao.services and jixiao.core.
"""
