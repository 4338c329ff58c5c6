"""The compliance report (`visitplanner report`): how well visits kept to the policy.

- :mod:`.period`: the period, both bounds inclusive.
- :mod:`.replay`: every deadline a rule set over a child's history, and the visit that met it.
- :mod:`.measures`: the report's rows and figures (:func:`~.measures.compliance_report`,
  :func:`~.measures.tally`); :mod:`.items`: the rows' values.
- :mod:`.forecast`: histories with the kept plan's visits assumed made (``--ahead``).
- :mod:`.render_text`, :mod:`.render_json`, :mod:`.render_csv`, :mod:`.render_html` (with
  :mod:`.charts`, the only module that imports matplotlib).

Pure: nothing here reads the clock, the environment or a file.
"""
