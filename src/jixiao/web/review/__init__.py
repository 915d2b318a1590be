"""The finance bureau's side (issue 5): rounds and deadlines, review stages, random re-check, history,
the year's overview, publication and their API.

All rules live in `services`; views and the API only parse input, call a service and render.
"""
