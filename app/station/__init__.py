"""现场确认, the confirmation table: what it captures for a candidate and how each capture is made.

``capture`` (``CaptureService``: record a capture, the checklist, who has come), ``media`` (the
content-addressed media folder), and the capture pipelines the station screen, the CLI and the
tests share, Qt-free: ``photo`` (an exam photo processed to the spec and stored), ``card`` (an ID
card side found, checked, rectified and stored), ``document`` (a certificate found, flattened and
stored), ``chip`` (the ID card's chip read, compared with the roster and stored) and
``fingerprint`` (a print captured through the quality gate and stored).
"""
