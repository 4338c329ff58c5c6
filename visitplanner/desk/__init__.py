"""The manager's desk: a web application (Flask, Jinja2 templates served by the app, no
script from the internet) where a team manager sees the team's load and what is at risk,
previews a decision per worker, and applies or discards it.

:mod:`~visitplanner.desk.board` shapes what the pages show (pure);
:mod:`~visitplanner.desk.app` is the application factory; :mod:`~visitplanner.desk.auth`
the accounts, sessions and roles; :mod:`~visitplanner.desk.pages` the team's pages;
:mod:`~visitplanner.desk.forms` the decision forms (CSRF-protected by Flask-WTF).
"""
