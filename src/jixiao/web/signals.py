"""Signals other apps of the web application listen to (so that the store needs no import of them)."""

from django.dispatch import Signal

# Sent by services.save_form inside its transaction once a form, its columns and its findings are written:
# `form` (the stored PerformanceForm). The indicator library links the form's rows to its entries here.
form_saved = Signal()
