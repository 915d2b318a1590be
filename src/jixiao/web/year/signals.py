"""What the year's workflows tell the rest of the web app: the messages (jixiao.web.notify.receivers) listen here,
so that the year's services need no import of them, as the review side's events (ReviewEvent) are listened to."""

from django.dispatch import Signal

# Sent by the target services once a step is written (inside its transaction): `decl` (the TargetDecl after the
# step), `action` ("submit", "review", "finish_edits", "publish"), `review` (the TargetReview a review wrote,
# else None) and `user` (who took the step).
target_step = Signal()

# Sent by submit_monitor once the form is locked and its 预警 raised: `form` (the MonitorForm), `warnings` (the
# MonitorWarning rows raised) and `user`.
monitor_submitted = Signal()

# Sent by answer_warning once a 预警's answer is saved: `warning` (the MonitorWarning, answered) and `user`.
warning_answered = Signal()
